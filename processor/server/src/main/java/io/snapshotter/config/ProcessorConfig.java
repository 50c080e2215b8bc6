package io.snapshotter.config;

import io.snapshotter.deadletter.DeadLetterHandlers;
import io.snapshotter.dynamodb.DynamoDbSettings;
import io.snapshotter.http.HttpSettings;
import io.snapshotter.registry.RegistryConfig;
import io.snapshotter.rocksdb.RocksDbMemoryConfig;
import io.snapshotter.topology.TopologyConfig;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The processor's configuration: the components' own definitions composed, parsed once into typed,
 * validated values. A wrong, missing or unknown key stops startup with a {@link ConfigException}
 * naming the key.
 *
 * <p>Each component owns its keys and their defaults: the topology ({@link TopologyConfig}), the
 * schema registry ({@link RegistryConfig}), RocksDB's memory ({@link RocksDbMemoryConfig}), the
 * DynamoDB sink ({@link DynamoDbSettings}) and the HTTP API ({@link HttpSettings}); this class adds
 * the server's own ({@link #OWN_DEF}: topic creation, thread replacement) and {@code kafka.*}, passed
 * to Kafka Streams and its clients with the prefix removed ({@link KafkaKeys}: a name Kafka does not
 * know is refused like any unknown key).
 *
 * <p>Besides each value on its own, it refuses what would run but lose or mix data: at-least-once
 * processing, and two of the four topics being one.
 */
public final class ProcessorConfig extends AbstractConfig {

    public static final String KAFKA_PREFIX = "kafka.";

    public static final String TOPICS_CREATE = "topics.create";
    public static final String TOPICS_PARTITIONS = "topics.partitions";
    public static final String TOPICS_REPLICATION_FACTOR = "topics.replication.factor";
    public static final String THREAD_REPLACEMENTS_MAX = "processor.thread.replacements.max";
    public static final String THREAD_REPLACEMENTS_WINDOW_MS = "processor.thread.replacements.window.ms";
    public static final String SINK_RESTART_BACKOFF_MS = "sink.restart.backoff.ms";
    public static final String SINK_RESTART_BACKOFF_MAX_MS = "sink.restart.backoff.max.ms";
    public static final String CLOSE_TIMEOUT_MS = "processor.close.timeout.ms";

    /** The server's own keys. */
    public static final ConfigDef OWN_DEF = new ConfigDef()
        .define(TOPICS_CREATE, Type.BOOLEAN, true, Importance.MEDIUM,
            "Create the three topics at startup when they are missing (the snapshot topic compacted).")
        .define(TOPICS_PARTITIONS, Type.INT, 6, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
            "Partitions of topics the processor creates.")
        .define(TOPICS_REPLICATION_FACTOR, Type.SHORT, (short) -1, Importance.MEDIUM,
            "Replication factor of topics the processor creates; -1 takes the broker's default.")
        .define(THREAD_REPLACEMENTS_MAX, Type.INT, 3, ConfigDef.Range.atLeast(0), Importance.LOW,
            "A stream thread that dies of an unexpected error is replaced up to this many times within "
                + THREAD_REPLACEMENTS_WINDOW_MS + "; one more failure in that window shuts the processor down.")
        .define(THREAD_REPLACEMENTS_WINDOW_MS, Type.LONG, 600_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
            "The sliding window " + THREAD_REPLACEMENTS_MAX + " counts replacements over, in milliseconds.")
        .define(SINK_RESTART_BACKOFF_MS, Type.LONG, 1_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
            "A snapshot writer (the DynamoDB one) that failed is restarted after this delay, doubled with each "
                + "failure in a row.")
        .define(SINK_RESTART_BACKOFF_MAX_MS, Type.LONG, 60_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
            "The longest delay before restarting a failed snapshot writer.")
        .define(CLOSE_TIMEOUT_MS, Type.LONG, 30_000L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
            "How long a stopping processor waits for Kafka Streams to commit, leave the group and close; the "
                + "HTTP server and the snapshot writer are closed after it. Keep it below the time the platform "
                + "allows a stop (Kubernetes' terminationGracePeriodSeconds).");

    /** Every component's definition, in the order the README's key table lists them. */
    public static final List<ConfigDef> COMPONENT_DEFS = List.of(TopologyConfig.CONFIG_DEF, RegistryConfig.CONFIG_DEF,
        OWN_DEF, DynamoDbSettings.CONFIG_DEF, HttpSettings.CONFIG_DEF, RocksDbMemoryConfig.CONFIG_DEF);

    /** All of them in one: a key defined twice fails here, at class initialisation. */
    static final ConfigDef DEF = compose(COMPONENT_DEFS);

    private static final Map<String, Object> STREAMS_DEFAULTS = Map.of(
        StreamsConfig.APPLICATION_ID_CONFIG, "snapshot-processor",
        StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2,
        StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, true);

    /** The four topics, which must be four different ones. */
    private static final List<String> TOPIC_KEYS = List.of(TopologyConfig.EVENTS_TOPIC, TopologyConfig.SNAPSHOTS_TOPIC,
        TopologyConfig.DEAD_LETTER_TOPIC, TopologyConfig.SNAPSHOT_REQUESTS_TOPIC);

    private final TopologyConfig topology;
    private final RocksDbMemoryConfig rocksDb;
    private final HttpSettings http;

    /** Values built in code, of no file or variable. */
    public ProcessorConfig(Map<String, ?> values) {
        this(values, Map.of());
    }

    /** Values as {@link ConfigSources} loaded them: errors about a key say where it came from. */
    public ProcessorConfig(ConfigSources.Loaded loaded) {
        this(loaded.values(), loaded.origins());
    }

    private ProcessorConfig(Map<String, ?> values, Map<String, String> origins) {
        super(DEF, values, false);
        rejectUnknownKeys(values.keySet(), origins);
        rocksDb = new RocksDbMemoryConfig(values);
        http = HttpSettings.from(values);
        topology = new TopologyConfig(values, applicationId());
        rejectSharedTopics(topology);
        rejectAtLeastOnce(originalsWithPrefix(KAFKA_PREFIX));
        streamsConfig();
    }

    private static ConfigDef compose(List<ConfigDef> defs) {
        ConfigDef all = new ConfigDef();
        defs.forEach(def -> def.configKeys().values().forEach(all::define));
        return all;
    }

    /** The topology's settings, with the registry's. */
    public TopologyConfig topology() {
        return topology;
    }

    public RegistryConfig registry() {
        return topology.registry();
    }

    public HttpSettings http() {
        return http;
    }

    /** The DynamoDB sink's settings (read when {@code dynamodb.enabled}). */
    public DynamoDbSettings dynamoDb() {
        return DynamoDbSettings.from(originals());
    }

    public boolean dynamoDbEnabled() {
        return getBoolean(DynamoDbSettings.ENABLED);
    }

    /**
     * Kafka Streams and client settings: {@code kafka.*} without the prefix, over our defaults and
     * the RocksDB memory budget's settings ({@link RocksDbMemoryConfig#streamsSettings()}).
     */
    public Properties streamsProperties() {
        Properties props = new Properties();
        props.putAll(STREAMS_DEFAULTS);
        props.putAll(rocksDb.streamsSettings());
        props.putAll(DeadLetterHandlers.streamsSettings(deadLetterTopic(), snapshotsTopic()));
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
            // kafka.group.instance.id names this instance's stream threads in the application's group
            // (Kafka Streams appends the thread's index); a client of our own, in a group of its own
            // or in none, is no static member of it
            .filter(name -> !name.equals(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG))
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
        Object id = originalsWithPrefix(KAFKA_PREFIX).get(StreamsConfig.APPLICATION_ID_CONFIG);
        return id == null ? (String) STREAMS_DEFAULTS.get(StreamsConfig.APPLICATION_ID_CONFIG) : id.toString();
    }

    public String eventsTopic() {
        return topology.eventsTopic();
    }

    public String snapshotsTopic() {
        return topology.snapshotsTopic();
    }

    public String deadLetterTopic() {
        return topology.deadLetterTopic();
    }

    public String snapshotRequestsTopic() {
        return topology.snapshotRequestsTopic();
    }

    /**
     * Refuses per-type keys ({@code aggregate.<type>.snapshot.*}) of a type no fold has: a misspelt
     * type would silently leave that aggregate on the global policy. Types compare ignoring case,
     * as {@link TopologyConfig#policyFor} looks them up.
     *
     * @param foldTypes the aggregate types of the folds found
     */
    public void requireFoldsForOverriddenTypes(Collection<String> foldTypes) {
        Set<String> known = foldTypes.stream().map(type -> type.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        for (String type : new TreeSet<>(topology.overriddenTypes())) {
            if (!known.contains(type)) {
                String prefix = TopologyConfig.AGGREGATE_PREFIX + type + ".snapshot.";
                String key = originals().keySet().stream().sorted()
                    .filter(k -> k.toLowerCase(Locale.ROOT).startsWith(prefix)).findFirst().orElse(prefix + "*");
                throw new ConfigException("Configuration key '" + key + "' overrides the snapshot policy of aggregate "
                    + "type '" + type + "', which no fold on the class path has; the fold types are "
                    + new TreeSet<>(foldTypes));
            }
        }
    }

    private static void rejectUnknownKeys(Set<String> keys, Map<String, String> origins) {
        for (String key : new TreeSet<>(keys)) {
            if (!accepts(key)) {
                boolean kafka = key.startsWith(KAFKA_PREFIX);
                String origin = origins.containsKey(key) ? " (from " + origins.get(key) + ")" : "";
                throw new ConfigException("Unknown configuration key '" + key + "'" + origin
                    + (kafka ? ": not a Kafka Streams, consumer, producer, admin or topic setting" : "")
                    + "; did you mean '" + nearest(key, kafka ? kafkaKeys() : DEF.names().stream()) + "'?");
            }
        }
    }

    /** Whether the processor takes {@code key}: one of its own, a per-type or custom-policy key, or a Kafka setting. */
    public static boolean accepts(String key) {
        return DEF.names().contains(key) || TopologyConfig.owns(key)
            || key.startsWith(KAFKA_PREFIX) && KafkaKeys.isKnown(key.substring(KAFKA_PREFIX.length()));
    }

    private static Stream<String> kafkaKeys() {
        return KafkaKeys.all().stream().map(name -> KAFKA_PREFIX + name);
    }

    /** The candidate fewest edits away from {@code key} (Levenshtein), the alphabetically first of a tie. */
    static String nearest(String key, Stream<String> candidates) {
        return candidates.min(Comparator.<String>comparingInt(candidate -> editDistance(key, candidate))
            .thenComparing(Comparator.naturalOrder())).orElseThrow();
    }

    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static void rejectSharedTopics(TopologyConfig topology) {
        Map<String, String> keyByTopic = new HashMap<>();
        for (String key : TOPIC_KEYS) {
            String topic = topology.getString(key);
            String other = keyByTopic.putIfAbsent(topic, key);
            if (other != null) {
                throw new ConfigException("'" + other + "' and '" + key + "' are both topic '" + topic
                    + "': the events, snapshots, dead letters and snapshot requests need four different topics");
            }
        }
    }

    /**
     * Without transactions the store's changelog and the snapshot topic are written apart: a crash
     * can keep the first and lose the second, and the events read again are then duplicates of the
     * restored state, so the count snapshot they crossed is never taken.
     */
    private static void rejectAtLeastOnce(Map<String, Object> kafkaSettings) {
        Object guarantee = kafkaSettings.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
        if (StreamsConfig.AT_LEAST_ONCE.equals(guarantee)) {
            throw new ConfigException(KAFKA_PREFIX + StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee,
                "under at_least_once a count snapshot can be lost after a crash; use " + StreamsConfig.EXACTLY_ONCE_V2
                    + " (the default)");
        }
    }

    /** Every key the processor defines, for documentation and for checking deployments. */
    public static Set<String> knownKeys() {
        return DEF.names();
    }
}
