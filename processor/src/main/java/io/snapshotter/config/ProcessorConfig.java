package io.snapshotter.config;

import io.snapshotter.policy.AnyOfPolicy;
import io.snapshotter.policy.CountPolicy;
import io.snapshotter.policy.SnapshotClock;
import io.snapshotter.policy.SnapshotPolicy;
import io.snapshotter.policy.TimePolicy;
import io.snapshotter.rocksdb.BoundedRocksDbMemory;
import io.snapshotter.serde.SubjectNameStrategy;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The processor's configuration, parsed once into typed, validated values. A wrong, missing or
 * unknown key stops startup with a {@link ConfigException} naming the key.
 *
 * <p>Three families of keys: the processor's own (defined below); {@code kafka.*}, passed to Kafka
 * Streams and its clients with the prefix removed; and {@code aggregate.<type>.snapshot.*}, which
 * override the snapshot policy for one aggregate type.
 */
public final class ProcessorConfig extends AbstractConfig {

    public static final String KAFKA_PREFIX = "kafka.";
    public static final String AGGREGATE_PREFIX = "aggregate.";

    public static final String EVENTS_TOPIC = "topic.events";
    public static final String SNAPSHOTS_TOPIC = "topic.snapshots";
    public static final String DEAD_LETTER_TOPIC = "topic.dead.letters";
    public static final String TOPICS_CREATE = "topics.create";
    public static final String TOPICS_PARTITIONS = "topics.partitions";
    public static final String TOPICS_REPLICATION_FACTOR = "topics.replication.factor";

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

    public static final String REGISTRY_URL = "schema.registry.url";
    public static final String REGISTRY_AUTO_REGISTER = "schema.registry.auto.register";
    public static final String REGISTRY_SUBJECT_STRATEGY = "schema.registry.subject.name.strategy";
    public static final String REGISTRY_BASIC_AUTH = "schema.registry.basic.auth.user.info";
    public static final String REGISTRY_BEARER_TOKEN = "schema.registry.bearer.token";
    public static final String REGISTRY_REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
    public static final String REGISTRY_MAX_ATTEMPTS = "schema.registry.max.attempts";
    public static final String REGISTRY_RETRY_BACKOFF_MS = "schema.registry.retry.backoff.ms";

    public static final String THREAD_REPLACEMENTS_MAX = "processor.thread.replacements.max";

    public static final String DYNAMODB_ENABLED = "dynamodb.enabled";
    public static final String DYNAMODB_TABLE = "dynamodb.table";
    public static final String DYNAMODB_TABLE_CREATE = "dynamodb.table.create";
    public static final String DYNAMODB_KMS_KEY_ID = "dynamodb.table.kms.key.id";
    public static final String DYNAMODB_REGION = "dynamodb.region";
    public static final String DYNAMODB_ENDPOINT = "dynamodb.endpoint";
    public static final String DYNAMODB_ACCESS_KEY_ID = "dynamodb.access.key.id";
    public static final String DYNAMODB_SECRET_ACCESS_KEY = "dynamodb.secret.access.key";
    public static final String DYNAMODB_RETENTION_KEEP = "dynamodb.retention.keep";
    public static final String DYNAMODB_BATCH_SIZE = "dynamodb.batch.size";
    public static final String DYNAMODB_BACKOFF_MS = "dynamodb.retry.backoff.ms";
    public static final String DYNAMODB_BACKOFF_MAX_MS = "dynamodb.retry.backoff.max.ms";

    public static final String SNAPSHOT_REQUESTS_TOPIC = "topic.snapshot.requests";
    public static final String HTTP_ENABLED = "http.enabled";
    public static final String HTTP_HOST = "http.host";
    public static final String HTTP_PORT = "http.port";
    public static final String HTTP_ADVERTISED_HOST = "http.advertised.host";
    public static final String HTTP_ADVERTISED_PORT = "http.advertised.port";
    public static final String HTTP_THREADS = "http.threads";
    public static final String HTTP_FORWARD_TIMEOUT_MS = "http.forward.timeout.ms";
    public static final String HTTP_RETRY_AFTER_SECONDS = "http.retry.after.seconds";
    public static final String HTTP_ADMIN_TOKEN = "http.admin.token";
    public static final String HTTP_ADMIN_PRINCIPAL = "http.admin.principal";
    public static final String QUERY_STANDBY_ENABLED = "query.standby.enabled";
    public static final String QUERY_STANDBY_MAX_LAG = "query.standby.max.lag";

    public static final String ROCKSDB_MEMORY_BOUNDED = "rocksdb.memory.bounded";
    public static final String ROCKSDB_MEMORY_BYTES = "rocksdb.memory.bytes";
    public static final String ROCKSDB_WRITE_BUFFER_RATIO = "rocksdb.write.buffer.ratio";
    public static final String ROCKSDB_MEMTABLE_BYTES = "rocksdb.memtable.bytes";
    public static final String ROCKSDB_MAX_WRITE_BUFFERS = "rocksdb.max.write.buffers";
    public static final String ROCKSDB_INDEX_FILTER_RATIO = "rocksdb.index.filter.ratio";
    /** The keys handed to {@link BoundedRocksDbMemory} through the Kafka Streams configs. */
    private static final List<String> ROCKSDB_BUDGET_KEYS = List.of(ROCKSDB_MEMORY_BYTES, ROCKSDB_WRITE_BUFFER_RATIO,
        ROCKSDB_MEMTABLE_BYTES, ROCKSDB_MAX_WRITE_BUFFERS, ROCKSDB_INDEX_FILTER_RATIO);

    /** Whether an event with a sequence beyond version + 1 is dead-lettered or folded anyway. */
    public enum GapPolicy { DEAD_LETTER, FOLD }

    private static final List<String> POLICY_KINDS = List.of("count", "time", "hybrid", "custom");

    /** The keys a snapshot policy is made of; also accepted under {@code aggregate.<type>.}. */
    static final ConfigDef POLICY_DEF = new ConfigDef()
        .define(SNAPSHOT_POLICY, Type.STRING, "hybrid", ConfigDef.ValidString.in(POLICY_KINDS.toArray(String[]::new)),
            Importance.HIGH, "count (every N events), time (T after the last snapshot, when there are new events), "
                + "hybrid (whichever first) or custom (snapshot.policy.class).")
        .define(SNAPSHOT_EVERY_EVENTS, Type.INT, 100, ConfigDef.Range.atLeast(1), Importance.HIGH,
            "N: the count trigger snapshots versions N, 2N, 3N ...")
        .define(SNAPSHOT_EVERY_MS, Type.LONG, 3_600_000L, ConfigDef.Range.atLeast(1), Importance.HIGH,
            "T in milliseconds: the time trigger snapshots pending events T after the last snapshot.")
        .define(SNAPSHOT_POLICY_CLASS, Type.CLASS, null, Importance.MEDIUM,
            "With snapshot.policy=custom: a class implementing io.snapshotter.policy.SnapshotPolicy.");

    static final ConfigDef DEF = new ConfigDef(POLICY_DEF)
        .define(EVENTS_TOPIC, Type.STRING, "inventory-events", new ConfigDef.NonEmptyString(), Importance.HIGH,
            "The event topic, keyed by aggregateId.")
        .define(SNAPSHOTS_TOPIC, Type.STRING, "inventory-snapshots", new ConfigDef.NonEmptyString(), Importance.HIGH,
            "The compacted snapshot topic, keyed by aggregateId.")
        .define(DEAD_LETTER_TOPIC, Type.STRING, "inventory-events-dlq", new ConfigDef.NonEmptyString(),
            Importance.HIGH, "Where bad input goes, with its original bytes and the reason in headers.")
        .define(TOPICS_CREATE, Type.BOOLEAN, true, Importance.MEDIUM,
            "Create the three topics at startup when they are missing (the snapshot topic compacted).")
        .define(TOPICS_PARTITIONS, Type.INT, 6, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
            "Partitions of topics the processor creates.")
        .define(TOPICS_REPLICATION_FACTOR, Type.SHORT, (short) -1, Importance.MEDIUM,
            "Replication factor of topics the processor creates; -1 takes the broker's default.")
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
        .define(REGISTRY_URL, Type.STRING, "mock://embedded", new RegistryUrlValidator(), Importance.HIGH,
            "Schema registry URL (http or https, with the path prefix of the Confluent-compatible API); "
                + "mock://<name> is an in-memory registry inside this process.")
        .define(REGISTRY_BASIC_AUTH, Type.PASSWORD, null, Importance.MEDIUM,
            "user:password for HTTP basic authentication to the registry.")
        .define(REGISTRY_BEARER_TOKEN, Type.PASSWORD, null, Importance.MEDIUM,
            "A bearer token for the registry (used when no basic auth is set).")
        .define(REGISTRY_REQUEST_TIMEOUT_MS, Type.INT, 10_000, ConfigDef.Range.atLeast(1), Importance.LOW,
            "Timeout of one registry request.")
        .define(REGISTRY_MAX_ATTEMPTS, Type.INT, 5, ConfigDef.Range.atLeast(1), Importance.LOW,
            "Attempts of one registry call on transient failures (connection errors, timeouts, 429, 5xx).")
        .define(REGISTRY_RETRY_BACKOFF_MS, Type.INT, 100, ConfigDef.Range.atLeast(0), Importance.LOW,
            "First delay between registry attempts, doubled for each further one, with jitter.")
        .define(REGISTRY_AUTO_REGISTER, Type.BOOLEAN, true, Importance.MEDIUM,
            "Register the schemas the processor writes (snapshots, states) when missing.")
        .define(REGISTRY_SUBJECT_STRATEGY, Type.STRING, "topic-name",
            ConfigDef.ValidString.in("topic-name", "record-name"), Importance.LOW,
            "Subject naming of topic values: <topic>-value, or the record's full name.")
        .define(THREAD_REPLACEMENTS_MAX, Type.INT, 3, ConfigDef.Range.atLeast(0), Importance.LOW,
            "A stream thread that dies of an unexpected error is replaced this many times, then the "
                + "processor shuts down.")
        .define(DYNAMODB_ENABLED, Type.BOOLEAN, false, Importance.HIGH,
            "Write every snapshot to the DynamoDB table too (a writer consuming the snapshot topic).")
        .define(DYNAMODB_TABLE, Type.STRING, "inventory_snapshots", new ConfigDef.NonEmptyString(), Importance.HIGH,
            "The snapshot table: partition key aggregateId (S), sort key version (N).")
        .define(DYNAMODB_TABLE_CREATE, Type.BOOLEAN, false, Importance.MEDIUM,
            "Create the table (on-demand billing) when missing; otherwise it must exist with the right keys.")
        .define(DYNAMODB_KMS_KEY_ID, Type.STRING, "", Importance.LOW,
            "When creating the table: server-side encryption with this KMS key (id, ARN or alias).")
        .define(DYNAMODB_REGION, Type.STRING, "us-east-1", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
            "AWS region of the table.")
        .define(DYNAMODB_ENDPOINT, Type.STRING, "", Importance.LOW,
            "Endpoint override, e.g. http://localhost:8000 for DynamoDB Local; empty for AWS.")
        .define(DYNAMODB_ACCESS_KEY_ID, Type.PASSWORD, null, Importance.LOW,
            "Static credentials; without them the AWS default credentials chain is used.")
        .define(DYNAMODB_SECRET_ACCESS_KEY, Type.PASSWORD, null, Importance.LOW,
            "Static credentials, with dynamodb.access.key.id.")
        .define(DYNAMODB_RETENTION_KEEP, Type.INT, 3, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
            "Snapshots kept per aggregate: older ones are deleted as new ones are written.")
        .define(DYNAMODB_BATCH_SIZE, Type.INT, 25, ConfigDef.Range.between(1, 25), Importance.LOW,
            "Items per BatchWriteItem request (DynamoDB allows 25).")
        .define(DYNAMODB_BACKOFF_MS, Type.LONG, 100L, ConfigDef.Range.atLeast(1), Importance.LOW,
            "First delay before retrying a failed or partly processed write, doubled each time, with jitter.")
        .define(DYNAMODB_BACKOFF_MAX_MS, Type.LONG, 10_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
            "The longest delay between write retries; the writer retries until DynamoDB takes the items.")
        .define(SNAPSHOT_REQUESTS_TOPIC, Type.STRING, "inventory-snapshot-requests", new ConfigDef.NonEmptyString(),
            Importance.MEDIUM, "Manual snapshot requests, keyed by aggregateId, with as many partitions as the event "
                + "topic: the fold takes the snapshot in the stream thread that owns the aggregate.")
        .define(HTTP_ENABLED, Type.BOOLEAN, true, Importance.HIGH,
            "Serve interactive queries, admin actions, health and metrics over HTTP.")
        .define(HTTP_HOST, Type.STRING, "0.0.0.0", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
            "Address the HTTP server binds to.")
        .define(HTTP_PORT, Type.INT, 8080, ConfigDef.Range.between(0, 65_535), Importance.HIGH,
            "Port of the HTTP server; 0 picks a free one.")
        .define(HTTP_ADVERTISED_HOST, Type.STRING, null, Importance.MEDIUM,
            "Host other instances reach this one at (Kafka Streams' application.server); default: http.host, "
                + "or this machine's name when http.host is a wildcard address.")
        .define(HTTP_ADVERTISED_PORT, Type.INT, 0, ConfigDef.Range.between(0, 65_535), Importance.LOW,
            "Port other instances reach this one at; 0: the port the server is bound to.")
        .define(HTTP_THREADS, Type.INT, 16, ConfigDef.Range.atLeast(1), Importance.LOW,
            "Threads answering HTTP requests (a forwarded lookup holds one while the owner answers).")
        .define(HTTP_FORWARD_TIMEOUT_MS, Type.INT, 5_000, ConfigDef.Range.atLeast(1), Importance.LOW,
            "Timeout of a call made to answer a request: a lookup forwarded to the owning instance, or "
                + "writing a manual snapshot request.")
        .define(HTTP_RETRY_AFTER_SECONDS, Type.INT, 1, ConfigDef.Range.atLeast(1), Importance.LOW,
            "Retry-After of a 503 answered while the key's store is not queryable.")
        .define(HTTP_ADMIN_TOKEN, Type.PASSWORD, null, Importance.HIGH,
            "Bearer token of the admin endpoints; unset: the admin endpoints are off.")
        .define(HTTP_ADMIN_PRINCIPAL, Type.STRING, "admin", new ConfigDef.NonEmptyString(), Importance.LOW,
            "Who holds the admin token, as written to the audit log.")
        .define(QUERY_STANDBY_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
            "While the active copy of a key's store is not queryable (rebalance, restore), answer from a "
                + "standby or restoring copy on this instance that is at most query.standby.max.lag behind.")
        .define(QUERY_STANDBY_MAX_LAG, Type.LONG, 10_000L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
            "How many changelog records a copy answering for the active may be behind.")
        .define(ROCKSDB_MEMORY_BOUNDED, Type.BOOLEAN, true, Importance.HIGH,
            "Bound the off-heap memory of all RocksDB stores by rocksdb.memory.bytes (io.snapshotter.rocksdb."
                + "BoundedRocksDbMemory as Kafka Streams' rocksdb.config.setter, unless kafka.rocksdb.config.setter "
                + "names another); false: Kafka Streams' defaults (a 50 MiB cache and up to three 16 MiB memtables "
                + "per store, index and filter blocks outside any cache).")
        .define(ROCKSDB_MEMORY_BYTES, Type.LONG, BoundedRocksDbMemory.DEFAULT_MEMORY_BYTES,
            ConfigDef.Range.atLeast(16L << 20), Importance.HIGH,
            "Off-heap bytes all RocksDB stores of the process share: one LRU block cache of this capacity (strict "
                + "limit) holding data, index and filter blocks and, charged to it, the memtables.")
        .define(ROCKSDB_WRITE_BUFFER_RATIO, Type.DOUBLE, BoundedRocksDbMemory.DEFAULT_WRITE_BUFFER_RATIO,
            ConfigDef.Range.between(0.05, 0.9), Importance.MEDIUM,
            "Share of rocksdb.memory.bytes the memtables of all stores may take before the largest is flushed.")
        .define(ROCKSDB_MEMTABLE_BYTES, Type.LONG, BoundedRocksDbMemory.DEFAULT_MEMTABLE_BYTES,
            ConfigDef.Range.atLeast(1L << 20), Importance.LOW,
            "Size of one memtable of one store (write_buffer_size); at most rocksdb.memory.bytes x "
                + "rocksdb.write.buffer.ratio.")
        .define(ROCKSDB_MAX_WRITE_BUFFERS, Type.INT, BoundedRocksDbMemory.DEFAULT_MAX_WRITE_BUFFERS,
            ConfigDef.Range.between(2, 16), Importance.LOW,
            "Memtables per store at most (the one written and those being flushed).")
        .define(ROCKSDB_INDEX_FILTER_RATIO, Type.DOUBLE, BoundedRocksDbMemory.DEFAULT_HIGH_PRIORITY_RATIO,
            ConfigDef.Range.between(0.0, 0.9), Importance.LOW,
            "Share of the cache reserved for high-priority entries (index and filter blocks), so data blocks "
                + "do not evict them.");

    private static final Map<String, Object> STREAMS_DEFAULTS = Map.of(
        StreamsConfig.APPLICATION_ID_CONFIG, "snapshot-processor",
        StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);

    private final Map<String, SnapshotPolicy> policiesByType = new HashMap<>();
    private final SnapshotPolicy defaultPolicy;

    public ProcessorConfig(Map<String, ?> values) {
        super(DEF, values, false);
        rejectUnknownKeys(values.keySet());
        defaultPolicy = policyFrom(this, "");
        typeOverrides(values).forEach((type, overrides) -> {
            Map<String, Object> merged = new HashMap<>(originals());
            merged.putAll(overrides);
            policiesByType.put(type, policyFrom(new AbstractConfig(POLICY_DEF, merged, false),
                AGGREGATE_PREFIX + type + "."));
        });
        checkRocksDbBudget();
        streamsConfig();
    }

    /** One memtable must fit in the share of the budget the memtables of all stores may take. */
    private void checkRocksDbBudget() {
        long writeBuffers = (long) (getLong(ROCKSDB_MEMORY_BYTES) * getDouble(ROCKSDB_WRITE_BUFFER_RATIO));
        if (getLong(ROCKSDB_MEMTABLE_BYTES) > writeBuffers) {
            throw new ConfigException(ROCKSDB_MEMTABLE_BYTES, getLong(ROCKSDB_MEMTABLE_BYTES), "must be at most "
                + ROCKSDB_MEMORY_BYTES + " x " + ROCKSDB_WRITE_BUFFER_RATIO + " = " + writeBuffers + " bytes");
        }
    }

    /** The snapshot policy of an aggregate type: its own override, else the global one. */
    public SnapshotPolicy policyFor(String aggregateType) {
        return policiesByType.getOrDefault(aggregateType.toLowerCase(Locale.ROOT), defaultPolicy);
    }

    /**
     * Kafka Streams and client settings: {@code kafka.*} without the prefix, over our defaults. With
     * {@code rocksdb.memory.bounded}, {@link BoundedRocksDbMemory} is the {@code rocksdb.config.setter}
     * (unless {@code kafka.rocksdb.config.setter} names another) and gets the {@code rocksdb.*} budget
     * under {@value BoundedRocksDbMemory#PREFIX}.
     */
    public Properties streamsProperties() {
        Properties props = new Properties();
        props.putAll(STREAMS_DEFAULTS);
        if (getBoolean(ROCKSDB_MEMORY_BOUNDED)) {
            props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class.getName());
            for (String key : ROCKSDB_BUDGET_KEYS) {
                props.put(BoundedRocksDbMemory.PREFIX + key, String.valueOf(get(key)));
            }
        }
        props.putAll(originalsWithPrefix(KAFKA_PREFIX));
        if (!props.containsKey(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new ConfigException("Missing required configuration '" + KAFKA_PREFIX
                + StreamsConfig.BOOTSTRAP_SERVERS_CONFIG + "': the Kafka brokers to connect to");
        }
        return props;
    }

    /**
     * Settings for a plain client of the processor's own (the DynamoDB writer's consumer, say): the
     * {@code kafka.*} settings that client knows (bootstrap, security ...), then those under
     * {@code kafka.<prefix>} ({@code consumer.} or {@code producer.}) over them.
     */
    public Properties clientProperties(Set<String> clientConfigNames, String prefix) {
        Properties all = streamsProperties();
        Properties client = new Properties();
        all.stringPropertyNames().stream().filter(clientConfigNames::contains)
            .forEach(name -> client.put(name, all.get(name)));
        all.stringPropertyNames().stream().filter(name -> name.startsWith(prefix))
            .forEach(name -> client.put(name.substring(prefix.length()), all.get(name)));
        return client;
    }

    /** The validated Kafka Streams config; errors name the {@code kafka.}-prefixed key. */
    public StreamsConfig streamsConfig() {
        try {
            return new StreamsConfig(streamsProperties());
        } catch (ConfigException e) {
            throw new ConfigException("Invalid Kafka setting (keys under '" + KAFKA_PREFIX + "'): " + e.getMessage());
        }
    }

    public String applicationId() {
        return streamsProperties().getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
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

    public SnapshotClock snapshotClock() {
        return SnapshotClock.fromConfig(getString(SNAPSHOT_CLOCK));
    }

    public GapPolicy gapPolicy() {
        return GapPolicy.valueOf(getString(SEQUENCE_GAP_POLICY).toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    public boolean compressSnapshots() {
        return getString(SNAPSHOT_COMPRESSION).equals("gzip");
    }

    public SubjectNameStrategy subjectNameStrategy() {
        return SubjectNameStrategy.fromConfig(getString(REGISTRY_SUBJECT_STRATEGY));
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

    private static void rejectUnknownKeys(Set<String> keys) {
        for (String key : keys) {
            if (!DEF.names().contains(key) && !key.startsWith(KAFKA_PREFIX) && !key.startsWith(AGGREGATE_PREFIX)
                    && !key.startsWith(POLICY_SETTINGS_PREFIX)) {
                throw new ConfigException("Unknown configuration key '" + key + "'. Known keys: " + new TreeSet<>(DEF.names())
                    + ", plus " + KAFKA_PREFIX + "* (Kafka Streams and clients), " + POLICY_SETTINGS_PREFIX
                    + "* (a custom policy's settings) and " + AGGREGATE_PREFIX + "<type>.snapshot.*");
            }
        }
    }

    /** Accepts mock://..., http://... and https://... URLs. */
    private static final class RegistryUrlValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String url = (String) value;
            if (url == null || !(url.startsWith("mock://") || url.startsWith("http://") || url.startsWith("https://"))) {
                throw new ConfigException(name, value, "must start with http://, https:// or mock://");
            }
            if (!url.startsWith("mock://")) {
                try {
                    java.net.URI.create(url).toURL();
                } catch (IllegalArgumentException | java.net.MalformedURLException e) {
                    throw new ConfigException(name, value, "is not a valid URL: " + e.getMessage());
                }
            }
        }

        @Override
        public String toString() {
            return "http://..., https://... or mock://<name>";
        }
    }

    /** Every key the processor defines, for documentation and for checking deployments. */
    public static Set<String> knownKeys() {
        return DEF.names();
    }
}
