package io.snapshotter.config;

import io.snapshotter.topology.TopologyConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapshotter.policy.AnyOfPolicy;
import io.snapshotter.policy.CountPolicy;
import io.snapshotter.topology.SnapshotClock;
import io.snapshotter.policy.SnapshotPolicy;
import io.snapshotter.policy.SnapshotProgress;
import io.snapshotter.policy.TimePolicy;
import io.snapshotter.rocksdb.BoundedRocksDbMemory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class ProcessorConfigTest {

    private static ProcessorConfig config(String... keyValues) {
        Map<String, String> values = new HashMap<>();
        values.put("kafka.bootstrap.servers", "localhost:9092");
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put(keyValues[i], keyValues[i + 1]);
        }
        return new ProcessorConfig(values);
    }

    @Test
    void shouldDefaultToHybridEveryHundredEventsOrOneHourWithExactlyOnce() {
        ProcessorConfig config = config();
        assertThat(config.topology().policyFor("InventoryItem"))
            .isEqualTo(new AnyOfPolicy(List.of(new CountPolicy(100), new TimePolicy(3_600_000))));
        assertThat(config.topology().snapshotClock()).isEqualTo(SnapshotClock.WALL_CLOCK);
        assertThat(config.topology().gapPolicy()).isEqualTo(TopologyConfig.GapPolicy.DEAD_LETTER);
        assertThat(config.streamsProperties())
            .containsEntry("processing.guarantee", "exactly_once_v2")
            .containsEntry("application.id", "snapshot-processor")
            .containsEntry("bootstrap.servers", "localhost:9092");
    }

    @Test
    void shouldGiveTheStaticMemberIdToTheStreamThreadsAloneNotToThePlainClients() {
        ProcessorConfig config = config("kafka.group.instance.id", "processor-0");
        assertThat(config.streamsConfig().getMainConsumerConfigs("snapshot-processor", "client", 1))
            .containsEntry(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "processor-0-1");
        assertThat(config.clientProperties(ConsumerConfig.configNames(), "consumer."))
            .containsEntry("bootstrap.servers", "localhost:9092")
            .doesNotContainKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    }

    @Test
    void shouldPassKafkaSettingsThroughWithoutThePrefix() {
        ProcessorConfig config = config("kafka.commit.interval.ms", "1000", "kafka.producer.linger.ms", "10");
        assertThat(config.streamsProperties())
            .containsEntry("commit.interval.ms", "1000")
            .containsEntry("producer.linger.ms", "10");
    }

    @Test
    void shouldNameTheKeyOfAnInvalidValue() {
        assertThatThrownBy(() -> config("snapshot.every.events", "0"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("snapshot.every.events");
        assertThatThrownBy(() -> config("snapshot.policy", "sometimes"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("snapshot.policy");
        assertThatThrownBy(() -> config("snapshot.every.ms", "soon"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("snapshot.every.ms");
    }

    @Test
    void shouldNameTheKeyOfABadDynamoDbWriterConcurrency() {
        assertThat(config("dynamodb.writer.concurrency", "8").dynamoDb().writerConcurrency()).isEqualTo(8);
        assertThat(config().dynamoDb().writerConcurrency()).isEqualTo(4);
        for (String bad : new String[] {"0", "51", "many"}) {
            assertThatThrownBy(() -> config("dynamodb.writer.concurrency", bad))
                .isInstanceOf(ConfigException.class).hasMessageContaining("dynamodb.writer.concurrency");
        }
    }

    @Test
    void shouldRejectAnUnknownKeyNamingIt() {
        assertThatThrownBy(() -> config("snapshot.evry.events", "5"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("'snapshot.evry.events'");
    }

    @Test
    void shouldNameTheMissingBootstrapServersKey() {
        assertThatThrownBy(() -> new ProcessorConfig(Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("kafka.bootstrap.servers");
    }

    @Test
    void shouldNameAnInvalidKafkaSetting() {
        assertThatThrownBy(() -> config("kafka.processing.guarantee", "maybe_once"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("processing.guarantee")
            .hasMessageContaining("kafka.");
    }

    @Test
    void shouldBoundRocksDbMemoryByDefaultWithTheBudgetPassedToTheSetter() {
        assertThat(config().streamsProperties())
            .containsEntry("rocksdb.config.setter", BoundedRocksDbMemory.class.getName())
            .containsEntry("snapshotter.rocksdb.memory.bytes", String.valueOf(256L << 20))
            .containsEntry("snapshotter.rocksdb.write.buffer.ratio", "0.5")
            .containsEntry("snapshotter.rocksdb.memtable.bytes", String.valueOf(16L << 20))
            .containsEntry("snapshotter.rocksdb.max.write.buffers", "2");
        assertThat(config("rocksdb.memory.bytes", "1073741824").streamsProperties())
            .containsEntry("snapshotter.rocksdb.memory.bytes", "1073741824");
    }

    @Test
    void shouldLeaveRocksDbToKafkaStreamsWhenUnboundedOrAnotherSetterIsNamed() {
        assertThat(config("rocksdb.memory.bounded", "false").streamsProperties())
            .doesNotContainKey("rocksdb.config.setter").doesNotContainKey("snapshotter.rocksdb.memory.bytes");
        assertThat(config("kafka.rocksdb.config.setter", CustomSetter.class.getName()).streamsProperties())
            .containsEntry("rocksdb.config.setter", CustomSetter.class.getName());
    }

    @Test
    void shouldNameTheKeyOfABadRocksDbBudget() {
        assertThatThrownBy(() -> config("rocksdb.memory.bytes", "1000"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("rocksdb.memory.bytes");
        assertThatThrownBy(() -> config("rocksdb.memory.bytes", "lots"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("rocksdb.memory.bytes");
        assertThatThrownBy(() -> config("rocksdb.write.buffer.ratio", "1.5"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("rocksdb.write.buffer.ratio");
        assertThatThrownBy(() -> config("rocksdb.max.write.buffers", "1"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("rocksdb.max.write.buffers");
        assertThatThrownBy(() -> config("rocksdb.index.filter.ratio", "-0.1"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("rocksdb.index.filter.ratio");
        assertThatThrownBy(() -> config("rocksdb.memory.bounded", "maybe"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("rocksdb.memory.bounded");
        assertThatThrownBy(() -> config("rocksdb.memory.bytes", String.valueOf(64L << 20),
                "rocksdb.memtable.bytes", String.valueOf(48L << 20)))
            .isInstanceOf(ConfigException.class).hasMessageContaining("rocksdb.memtable.bytes")
            .hasMessageContaining("rocksdb.memory.bytes");
    }

    @Test
    void shouldOverrideThePolicyPerAggregateTypeIgnoringCase() {
        ProcessorConfig config = config("snapshot.policy", "count", "aggregate.Warehouse.snapshot.every.events", "7",
            "aggregate.Warehouse.snapshot.policy", "count");
        assertThat(config.topology().policyFor("Warehouse")).isEqualTo(new CountPolicy(7));
        assertThat(config.topology().policyFor("WAREHOUSE")).isEqualTo(new CountPolicy(7));
        assertThat(config.topology().policyFor("InventoryItem")).isEqualTo(new CountPolicy(100));
    }

    @Test
    void shouldInheritGlobalPolicySettingsInAPerTypeOverride() {
        ProcessorConfig config = config("snapshot.every.ms", "5000", "aggregate.Warehouse.snapshot.policy", "time");
        assertThat(config.topology().policyFor("Warehouse")).isEqualTo(new TimePolicy(5000));
    }

    @Test
    void shouldNameTheFullKeyOfAnInvalidPerTypeSetting() {
        assertThatThrownBy(() -> config("aggregate.Warehouse.snapshot.every.events", "-1"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("aggregate.warehouse.")
            .hasMessageContaining("snapshot.every.events");
        assertThatThrownBy(() -> config("aggregate.Warehouse.snapshot.colour", "blue"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("aggregate.Warehouse.snapshot.colour");
    }

    @Test
    void shouldCreateAndConfigureACustomPolicy() {
        ProcessorConfig config = config("snapshot.policy", "custom",
            "snapshot.policy.class", EveryOtherEventPolicy.class.getName());
        SnapshotPolicy policy = config.topology().policyFor("InventoryItem");
        assertThat(policy).isInstanceOf(EveryOtherEventPolicy.class);
        assertThat(((EveryOtherEventPolicy) policy).configured.get("snapshot.policy")).isEqualTo("custom");
        assertThat(policy.isDueAfterEvent(new SnapshotProgress("InventoryItem", 4, 2, 2, 0))).isTrue();
    }

    @Test
    void shouldRejectACustomPolicyWithoutAUsableClass() {
        assertThatThrownBy(() -> config("snapshot.policy", "custom"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("snapshot.policy.class");
        assertThatThrownBy(() -> config("snapshot.policy", "custom", "snapshot.policy.class", String.class.getName()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("snapshot.policy.class")
            .hasMessageContaining("does not implement");
        assertThatThrownBy(() -> config("snapshot.policy", "custom", "snapshot.policy.class", "com.example.Missing"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("snapshot.policy.class");
    }

    @Test
    void shouldLeaveTheRegistryUrlUnsetByDefaultAndNameTheKeyWhenItIsNeeded() {
        ProcessorConfig config = config();
        assertThat(config.registry().configuredUrl()).isEmpty();
        assertThatThrownBy(() -> config.registry().url())
            .isInstanceOf(ConfigException.class).hasMessageContaining("'schema.registry.url'");
        assertThatThrownBy(() -> config.registry().requireShared())
            .isInstanceOf(ConfigException.class).hasMessageContaining("'schema.registry.url'");
    }

    @Test
    void shouldRefuseAnInMemoryRegistryWhereASharedOneIsRequired() {
        ProcessorConfig config = config("schema.registry.url", "mock://forgotten");
        assertThat(config.registry().url()).isEqualTo("mock://forgotten");
        assertThatThrownBy(() -> config.registry().requireShared())
            .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url")
            .hasMessageContaining("mock://forgotten").hasMessageNotContaining("\n");
        config("schema.registry.url", "https://registry.example:8081").registry().requireShared();
    }

    @Test
    void shouldRejectAKafkaTypoNamingTheNearestSettingAndAcceptEveryKnownName() {
        assertThatThrownBy(() -> config("kafka.comit.interval.ms", "1000"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("'kafka.comit.interval.ms'")
            .hasMessageContaining("did you mean 'kafka.commit.interval.ms'?");
        assertThatThrownBy(() -> config("kafka.producer.lingr.ms", "5"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("'kafka.producer.lingr.ms'")
            .hasMessageContaining("did you mean 'kafka.producer.linger.ms'?");
        assertThatThrownBy(() -> config("kafka.topic.min.insync.replica", "2"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("did you mean 'kafka.topic.min.insync.replicas'?");
        // a producer setting under the consumer's prefix is a mistake too
        assertThatThrownBy(() -> config("kafka.consumer.linger.ms", "5"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("'kafka.consumer.linger.ms'");

        ProcessorConfig config = config("kafka.num.stream.threads", "2", "kafka.security.protocol", "SSL",
            "kafka.consumer.max.poll.records", "100", "kafka.main.consumer.fetch.max.bytes", "1048576",
            "kafka.restore.consumer.max.poll.records", "1000", "kafka.global.consumer.client.rack", "a",
            "kafka.producer.compression.type", "lz4", "kafka.admin.retries", "3",
            "kafka.topic.min.insync.replicas", "2", "kafka.topic.segment.bytes", "1073741824");
        assertThat(config.streamsProperties()).containsEntry("main.consumer.fetch.max.bytes", "1048576")
            .containsEntry("topic.min.insync.replicas", "2").containsEntry("admin.retries", "3");
    }

    @Test
    void shouldRefuseAtLeastOnceNamingTheKey() {
        assertThatThrownBy(() -> config("kafka.processing.guarantee", "at_least_once"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("kafka.processing.guarantee")
            .hasMessageContaining("count snapshot can be lost");
        assertThat(config("kafka.processing.guarantee", "exactly_once_v2").streamsProperties())
            .containsEntry("processing.guarantee", "exactly_once_v2");
    }

    @Test
    void shouldRefuseTopicsThatCollideNamingBothKeys() {
        assertThatThrownBy(() -> config("topic.dead.letters", "inventory-events"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("'topic.events'")
            .hasMessageContaining("'topic.dead.letters'").hasMessageContaining("'inventory-events'");
        assertThatThrownBy(() -> config("topic.snapshots", "shared", "topic.snapshot.requests", "shared"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("'topic.snapshots'")
            .hasMessageContaining("'topic.snapshot.requests'");
    }

    @Test
    void shouldRefuseAPerTypeKeyOfATypeNoFoldHasNamingTheKeyAndTheFoldTypes() {
        ProcessorConfig config = config("aggregate.BankAcount.snapshot.every.events", "10",
            "aggregate.warehouse.snapshot.every.events", "5");
        assertThatThrownBy(() -> config.requireFoldsForOverriddenTypes(List.of("InventoryItem", "Warehouse")))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("'aggregate.BankAcount.snapshot.every.events'")
            .hasMessageContaining("[InventoryItem, Warehouse]");
        config.requireFoldsForOverriddenTypes(List.of("InventoryItem", "Warehouse", "BANKACOUNT"));
    }

    @Test
    void shouldFindTheNearestKeyByEditDistance() {
        assertThat(ProcessorConfig.editDistance("kitten", "sitting")).isEqualTo(3);
        assertThat(ProcessorConfig.editDistance("", "abc")).isEqualTo(3);
        assertThat(ProcessorConfig.nearest("http.prot", ProcessorConfig.knownKeys().stream())).isEqualTo("http.port");
    }

    /** A RocksDB config setter of the user's own. */
    public static class CustomSetter implements org.apache.kafka.streams.state.RocksDBConfigSetter {
        @Override
        public void setConfig(String storeName, org.rocksdb.Options options, Map<String, Object> configs) {
        }

        @Override
        public void close(String storeName, org.rocksdb.Options options) {
        }
    }

    /** A custom policy as a user would write one. */
    public static class EveryOtherEventPolicy implements SnapshotPolicy {
        Map<String, ?> configured;

        @Override
        public boolean isDueAfterEvent(SnapshotProgress progress) {
            return progress.eventsSinceSnapshot() >= 2;
        }

        @Override
        public long timeDue(SnapshotProgress progress) {
            return NEVER;
        }

        @Override
        public void configure(Map<String, ?> configs) {
            configured = configs;
        }
    }
}
