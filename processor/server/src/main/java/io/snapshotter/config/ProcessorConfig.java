package io.snapshotter.config;

import io.snapshotter.deadletter.DeadLetterHandlers;
import io.snapshotter.dynamodb.DynamoDbSettings;
import io.snapshotter.http.HttpSettings;
import io.snapshotter.registry.RegistryConfig;
import io.snapshotter.rocksdb.RocksDbMemoryConfig;
import io.snapshotter.topology.TopologyConfig;
import java.util.List;
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
 * The processor's configuration: the components' own definitions composed, parsed once into typed,
 * validated values. A wrong, missing or unknown key stops startup with a {@link ConfigException}
 * naming the key.
 *
 * <p>Each component owns its keys and their defaults: the topology ({@link TopologyConfig}), the
 * schema registry ({@link RegistryConfig}), RocksDB's memory ({@link RocksDbMemoryConfig}), the
 * DynamoDB sink ({@link DynamoDbSettings}) and the HTTP API ({@link HttpSettings}); this class adds
 * the server's own ({@link #OWN_DEF}: topic creation, thread replacement) and {@code kafka.*}, passed
 * to Kafka Streams and its clients with the prefix removed.
 */
public final class ProcessorConfig extends AbstractConfig {

    public static final String KAFKA_PREFIX = "kafka.";

    public static final String TOPICS_CREATE = "topics.create";
    public static final String TOPICS_PARTITIONS = "topics.partitions";
    public static final String TOPICS_REPLICATION_FACTOR = "topics.replication.factor";
    public static final String THREAD_REPLACEMENTS_MAX = "processor.thread.replacements.max";

    /** The server's own keys. */
    public static final ConfigDef OWN_DEF = new ConfigDef()
        .define(TOPICS_CREATE, Type.BOOLEAN, true, Importance.MEDIUM,
            "Create the three topics at startup when they are missing (the snapshot topic compacted).")
        .define(TOPICS_PARTITIONS, Type.INT, 6, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
            "Partitions of topics the processor creates.")
        .define(TOPICS_REPLICATION_FACTOR, Type.SHORT, (short) -1, Importance.MEDIUM,
            "Replication factor of topics the processor creates; -1 takes the broker's default.")
        .define(THREAD_REPLACEMENTS_MAX, Type.INT, 3, ConfigDef.Range.atLeast(0), Importance.LOW,
            "A stream thread that dies of an unexpected error is replaced this many times, then the "
                + "processor shuts down.");

    /** Every component's definition, in the order the README's key table lists them. */
    public static final List<ConfigDef> COMPONENT_DEFS = List.of(TopologyConfig.CONFIG_DEF, RegistryConfig.CONFIG_DEF,
        OWN_DEF, DynamoDbSettings.CONFIG_DEF, HttpSettings.CONFIG_DEF, RocksDbMemoryConfig.CONFIG_DEF);

    /** All of them in one: a key defined twice fails here, at class initialisation. */
    static final ConfigDef DEF = compose(COMPONENT_DEFS);

    private static final Map<String, Object> STREAMS_DEFAULTS = Map.of(
        StreamsConfig.APPLICATION_ID_CONFIG, "snapshot-processor",
        StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);

    private final TopologyConfig topology;
    private final RocksDbMemoryConfig rocksDb;
    private final HttpSettings http;

    public ProcessorConfig(Map<String, ?> values) {
        super(DEF, values, false);
        rejectUnknownKeys(values.keySet());
        rocksDb = new RocksDbMemoryConfig(values);
        http = HttpSettings.from(values);
        topology = new TopologyConfig(values, applicationId());
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

    private static void rejectUnknownKeys(Set<String> keys) {
        for (String key : keys) {
            if (!DEF.names().contains(key) && !key.startsWith(KAFKA_PREFIX) && !TopologyConfig.owns(key)) {
                throw new ConfigException("Unknown configuration key '" + key + "'. Known keys: " + new TreeSet<>(DEF.names())
                    + ", plus " + KAFKA_PREFIX + "* (Kafka Streams and clients), " + TopologyConfig.POLICY_SETTINGS_PREFIX
                    + "* (a custom policy's settings) and " + TopologyConfig.AGGREGATE_PREFIX + "<type>.snapshot.*");
            }
        }
    }

    /** Every key the processor defines, for documentation and for checking deployments. */
    public static Set<String> knownKeys() {
        return DEF.names();
    }
}
