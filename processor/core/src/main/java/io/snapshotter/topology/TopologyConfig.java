package io.snapshotter.topology;

import io.snapshotter.policy.AnyOfPolicy;
import io.snapshotter.policy.CountPolicy;
import io.snapshotter.policy.SnapshotPolicy;
import io.snapshotter.policy.TimePolicy;
import io.snapshotter.registry.RegistryConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The topology's settings (its topics, snapshot policies, clock, punctuation, compression, gap
 * handling), parsed once into typed, validated values; {@link #CONFIG_DEF} defines its keys. The
 * host (the server) composes it with the other components' definitions and hands each its values.
 *
 * <p>Besides its own keys it reads {@code aggregate.<type>.snapshot.*}, which override the snapshot
 * policy for one aggregate type, and {@code snapshot.policy.config.*}, a custom policy's own settings.
 */
public final class TopologyConfig extends AbstractConfig {

    public static final String AGGREGATE_PREFIX = "aggregate.";

    public static final String EVENTS_TOPIC = "topic.events";
    public static final String SNAPSHOTS_TOPIC = "topic.snapshots";
    public static final String DEAD_LETTER_TOPIC = "topic.dead.letters";
    public static final String SNAPSHOT_REQUESTS_TOPIC = "topic.snapshot.requests";

    public static final String SNAPSHOT_POLICY = "snapshot.policy";
    public static final String SNAPSHOT_EVERY_EVENTS = "snapshot.every.events";
    public static final String SNAPSHOT_EVERY_MS = "snapshot.every.ms";
    public static final String SNAPSHOT_POLICY_CLASS = "snapshot.policy.class";
    /** Keys under this prefix are a custom policy's own settings, passed to its {@code configure}. */
    public static final String POLICY_SETTINGS_PREFIX = "snapshot.policy.config.";
    public static final String SNAPSHOT_CLOCK = "snapshot.clock";
    public static final String PUNCTUATION_INTERVAL_MS = "snapshot.punctuation.interval.ms";
    public static final String PUNCTUATION_MAX_SNAPSHOTS = "snapshot.punctuation.max.snapshots";
    public static final String SNAPSHOT_COMPRESSION = "snapshot.compression";
    public static final String SNAPSHOT_COMPRESSION_MIN_BYTES = "snapshot.compression.min.bytes";
    public static final String SEQUENCE_GAP_POLICY = "sequence.gap.policy";
    public static final String SNAPSHOT_MAX_BYTES = "snapshot.max.bytes";
    public static final String AGGREGATES_CACHE_MAX_BYTES = "aggregates.cache.max.bytes";

    /** Whether an event with a sequence beyond version + 1 is dead-lettered or folded anyway. */
    public enum GapPolicy { DEAD_LETTER, FOLD }

    private static final List<String> POLICY_KINDS = List.of("count", "time", "hybrid", "custom");

    /** The keys a snapshot policy is made of; also accepted under {@code aggregate.<type>.}. */
    public static final ConfigDef POLICY_DEF = new ConfigDef()
        .define(SNAPSHOT_POLICY, Type.STRING, "hybrid", ConfigDef.ValidString.in(POLICY_KINDS.toArray(String[]::new)),
            Importance.HIGH, "count (every N events), time (T after the last snapshot, when there are new events), "
                + "hybrid (whichever first) or custom (snapshot.policy.class).")
        .define(SNAPSHOT_EVERY_EVENTS, Type.INT, 100, ConfigDef.Range.atLeast(1), Importance.HIGH,
            "N: the count trigger snapshots versions N, 2N, 3N ...")
        .define(SNAPSHOT_EVERY_MS, Type.LONG, 3_600_000L, ConfigDef.Range.atLeast(1), Importance.HIGH,
            "T in milliseconds: the time trigger snapshots pending events T after the last snapshot.")
        .define(SNAPSHOT_POLICY_CLASS, Type.CLASS, null, Importance.MEDIUM,
            "With snapshot.policy=custom: a class implementing io.snapshotter.policy.SnapshotPolicy.");

    public static final ConfigDef CONFIG_DEF = new ConfigDef(POLICY_DEF)
        .define(EVENTS_TOPIC, Type.STRING, "inventory-events", new ConfigDef.NonEmptyString(), Importance.HIGH,
            "The event topic, keyed by aggregateId.")
        .define(SNAPSHOTS_TOPIC, Type.STRING, "inventory-snapshots", new ConfigDef.NonEmptyString(), Importance.HIGH,
            "The compacted snapshot topic, keyed by aggregateId.")
        .define(DEAD_LETTER_TOPIC, Type.STRING, "inventory-events-dlq", new ConfigDef.NonEmptyString(),
            Importance.HIGH, "Where bad input goes, with its original bytes and the reason in headers.")
        .define(SNAPSHOT_REQUESTS_TOPIC, Type.STRING, "inventory-snapshot-requests", new ConfigDef.NonEmptyString(),
            Importance.MEDIUM, "Manual snapshot requests, keyed by aggregateId, with as many partitions as the event "
                + "topic: the fold takes the snapshot in the stream thread that owns the aggregate.")
        .define(SNAPSHOT_CLOCK, Type.STRING, "wall-clock", ConfigDef.ValidString.in("wall-clock", "stream-time"),
            Importance.MEDIUM, "Clock of the time trigger: wall-clock (idle aggregates get their snapshot) or "
                + "stream-time (deterministic on replay).")
        .define(PUNCTUATION_INTERVAL_MS, Type.LONG, 1000L, ConfigDef.Range.atLeast(1), Importance.LOW,
            "How often due time snapshots are looked for.")
        .define(PUNCTUATION_MAX_SNAPSHOTS, Type.INT, 10_000, ConfigDef.Range.atLeast(1), Importance.LOW,
            "At most this many time snapshots per punctuation; the rest wait for the next one.")
        .define(SNAPSHOT_COMPRESSION, Type.STRING, "gzip", ConfigDef.ValidString.in("none", "gzip"),
            Importance.LOW, "Codec for snapshot states of at least snapshot.compression.min.bytes.")
        .define(SNAPSHOT_COMPRESSION_MIN_BYTES, Type.INT, 4096, ConfigDef.Range.atLeast(0), Importance.LOW,
            "States smaller than this are stored uncompressed.")
        .define(SEQUENCE_GAP_POLICY, Type.STRING, "dead-letter", ConfigDef.ValidString.in("dead-letter", "fold"),
            Importance.MEDIUM, "An event whose sequence skips ahead of version + 1: dead-letter it and keep the "
                + "aggregate where it was, or fold it anyway.")
        .define(SNAPSHOT_MAX_BYTES, Type.INT, 4 * 1024 * 1024, ConfigDef.Range.between(1024, 64 * 1024 * 1024),
            Importance.MEDIUM, "Largest encoded state an aggregate may have: an event that would make it larger is "
                + "dead-lettered as STATE_TOO_LARGE (the aggregate parked). The snapshot topic, the store's changelog "
                + "and the producer are sized to hold it.")
        .define(AGGREGATES_CACHE_MAX_BYTES, Type.LONG, 64L * 1024 * 1024, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
            "Heap for the cache of aggregates as objects (state decoded) in front of RocksDB, shared by the instance's "
                + "tasks: hot aggregates fold without being read or decoded, and each changed one is written to RocksDB "
                + "and its changelog once per commit. Estimated per aggregate: 320 bytes plus 3x its encoded state.");

    private final String applicationId;
    private final RegistryConfig registry;
    private final Map<String, SnapshotPolicy> policiesByType = new HashMap<>();
    private final SnapshotPolicy defaultPolicy;

    /**
     * @param values        every configuration value (keys of other components are ignored here)
     * @param applicationId the Kafka Streams application id, the snapshots' {@code createdBy}
     */
    public TopologyConfig(Map<String, ?> values, String applicationId) {
        super(CONFIG_DEF, values, false);
        this.applicationId = applicationId;
        this.registry = new RegistryConfig(values);
        defaultPolicy = policyFrom(this, "");
        typeOverrides(values).forEach((type, overrides) -> {
            Map<String, Object> merged = new HashMap<>(originals());
            merged.putAll(overrides);
            policiesByType.put(type, policyFrom(new AbstractConfig(POLICY_DEF, merged, false),
                AGGREGATE_PREFIX + type + "."));
        });
    }

    /** Whether {@code key} belongs to this component: one of its own, or a per-type or custom-policy key. */
    public static boolean owns(String key) {
        return CONFIG_DEF.names().contains(key) || key.startsWith(AGGREGATE_PREFIX)
            || key.startsWith(POLICY_SETTINGS_PREFIX);
    }

    public String applicationId() {
        return applicationId;
    }

    /** How the topology reads and writes schemas. */
    public RegistryConfig registry() {
        return registry;
    }

    /** The snapshot policy of an aggregate type: its own override, else the global one. */
    public SnapshotPolicy policyFor(String aggregateType) {
        return policiesByType.getOrDefault(aggregateType.toLowerCase(Locale.ROOT), defaultPolicy);
    }

    public String eventsTopic() {
        return getString(EVENTS_TOPIC);
    }

    public String snapshotsTopic() {
        return getString(SNAPSHOTS_TOPIC);
    }

    public String deadLetterTopic() {
        return getString(DEAD_LETTER_TOPIC);
    }

    public String snapshotRequestsTopic() {
        return getString(SNAPSHOT_REQUESTS_TOPIC);
    }

    public SnapshotClock snapshotClock() {
        return SnapshotClock.fromConfig(getString(SNAPSHOT_CLOCK));
    }

    public GapPolicy gapPolicy() {
        return GapPolicy.valueOf(getString(SEQUENCE_GAP_POLICY).toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    /** Heap the cache of aggregates may use ({@value #AGGREGATES_CACHE_MAX_BYTES}). */
    public long aggregatesCacheMaxBytes() {
        return getLong(AGGREGATES_CACHE_MAX_BYTES);
    }

    /** Largest encoded state of an aggregate ({@value #SNAPSHOT_MAX_BYTES}). */
    public int maxStateBytes() {
        return getInt(SNAPSHOT_MAX_BYTES);
    }

    /**
     * Largest record carrying a state the processor writes (a store record, a snapshot, a snapshot set
     * aside as a dead letter): {@link #maxStateBytes()} plus {@link SnapshotTopology#RECORD_OVERHEAD_BYTES}.
     */
    public int maxStateRecordBytes() {
        return maxStateBytes() + SnapshotTopology.RECORD_OVERHEAD_BYTES;
    }

    /**
     * Largest dead letter the processor writes: any record the events topic accepted (up to
     * {@code largestEvent} bytes) or a state-carrying record, plus the dead-letter headers.
     */
    public int maxDeadLetterBytes(int largestEvent) {
        return Math.max(largestEvent, maxStateBytes()) + SnapshotTopology.RECORD_OVERHEAD_BYTES;
    }

    public boolean compressSnapshots() {
        return getString(SNAPSHOT_COMPRESSION).equals("gzip");
    }

    private static SnapshotPolicy policyFrom(AbstractConfig config, String keyPrefix) {
        String kind = config.getString(SNAPSHOT_POLICY);
        CountPolicy count = new CountPolicy(config.getInt(SNAPSHOT_EVERY_EVENTS));
        TimePolicy time = new TimePolicy(config.getLong(SNAPSHOT_EVERY_MS));
        return switch (kind) {
            case "count" -> count;
            case "time" -> time;
            case "hybrid" -> new AnyOfPolicy(List.of(count, time));
            default -> customPolicy(config, keyPrefix);
        };
    }

    private static SnapshotPolicy customPolicy(AbstractConfig config, String keyPrefix) {
        String key = keyPrefix + SNAPSHOT_POLICY_CLASS;
        Class<?> type = config.getClass(SNAPSHOT_POLICY_CLASS);
        if (type == null) {
            throw new ConfigException(key, null, "snapshot.policy=custom needs a policy class");
        }
        if (!SnapshotPolicy.class.isAssignableFrom(type)) {
            throw new ConfigException(key, type.getName(), "does not implement " + SnapshotPolicy.class.getName());
        }
        try {
            SnapshotPolicy policy = (SnapshotPolicy) type.getConstructor().newInstance();
            policy.configure(config.originals());
            return policy;
        } catch (ReflectiveOperationException e) {
            throw new ConfigException(key, type.getName(), "cannot be created with a public no-argument constructor: " + e);
        }
    }

    /**
     * {@code aggregate.<type>.<policy key>} entries, grouped by lower-cased type. Policy keys all
     * start with {@code snapshot.}, so a type may itself contain dots ({@code com.acme.Order}).
     */
    private static Map<String, Map<String, Object>> typeOverrides(Map<String, ?> values) {
        Map<String, Map<String, Object>> byType = new HashMap<>();
        values.forEach((key, value) -> {
            if (!key.startsWith(AGGREGATE_PREFIX)) {
                return;
            }
            String rest = key.substring(AGGREGATE_PREFIX.length());
            int split = rest.indexOf(".snapshot.");
            String policyKey = split < 0 ? "" : rest.substring(split + 1);
            if (split <= 0 || !isPolicyKey(policyKey)) {
                throw new ConfigException(key, value, "per-type keys are " + AGGREGATE_PREFIX + "<type>.<key> with <key> one of "
                    + new TreeSet<>(POLICY_DEF.names()) + " or " + POLICY_SETTINGS_PREFIX + "*");
            }
            byType.computeIfAbsent(rest.substring(0, split).toLowerCase(Locale.ROOT), t -> new HashMap<>())
                .put(policyKey, value);
        });
        byType.forEach((type, overrides) -> {
            try {
                POLICY_DEF.parse(overrides);
            } catch (ConfigException e) {
                throw new ConfigException("Invalid per-type setting under '" + AGGREGATE_PREFIX + type + ".': " + e.getMessage());
            }
        });
        return byType;
    }

    private static boolean isPolicyKey(String key) {
        return POLICY_DEF.names().contains(key) || key.startsWith(POLICY_SETTINGS_PREFIX);
    }

    /** The aggregate types (lower-cased) that {@code aggregate.<type>.snapshot.*} keys override. */
    public Set<String> overriddenTypes() {
        return Set.copyOf(policiesByType.keySet());
    }
}
