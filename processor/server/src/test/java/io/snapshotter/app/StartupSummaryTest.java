package io.snapshotter.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.domain.inventory.InventoryItemFold;
import io.snapshotter.domain.inventory.WarehouseFold;
import io.snapshotter.topology.FoldRegistry;
import java.io.File;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The startup block names the folds, their policies, the topics, the registry and DynamoDB. */
class StartupSummaryTest {

    private static ProcessorConfig config(String... keyValues) {
        Map<String, String> values = new HashMap<>();
        values.put("kafka.bootstrap.servers", "localhost:9092");
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put(keyValues[i], keyValues[i + 1]);
        }
        return new ProcessorConfig(values);
    }

    @Test
    void shouldDescribeEachFoldWithItsPolicyAndTheTopicsRegistryAndDynamoDb() {
        ProcessorConfig config = config("schema.registry.url", "http://registry:8081",
            "aggregate.Warehouse.snapshot.policy", "count", "aggregate.Warehouse.snapshot.every.events", "7",
            "topic.events", "orders");
        FoldRegistry folds = new FoldRegistry(List.of(new InventoryItemFold(), new WarehouseFold()));

        String text = StartupSummary.describe(config, folds);

        assertThat(text.lines()).anySatisfy(line -> assertThat(line).contains("fold InventoryItem v1",
                InventoryItemFold.class.getName(), "state " + new InventoryItemFold().stateType().getName(),
                "events [io.snapshotter.", "every 100 events or 3600000 ms after the last snapshot, whichever first"))
            .anySatisfy(line -> assertThat(line).contains("fold Warehouse v1", "WarehouseOpened",
                "snapshot policy: every 7 events"))
            .anySatisfy(line -> assertThat(line).contains("events orders", "snapshots inventory-snapshots",
                "dead letters inventory-events-dlq", "snapshot requests inventory-snapshot-requests"))
            .anySatisfy(line -> assertThat(line).contains("schema registry: http://registry:8081"))
            .anySatisfy(line -> assertThat(line).contains("DynamoDB: off"));
        assertThat(StartupSummary.noFoldsWarning(folds)).isEmpty();
    }

    @Test
    void shouldNameTheStateDirectorySayingWhenItIsKafkaStreamsDefault() {
        String byDefault = StartupSummary.describe(config(), new FoldRegistry(List.of()));
        String set = StartupSummary.describe(config("kafka.state.dir", "/var/lib/snapshot-processor"),
            new FoldRegistry(List.of()));

        assertThat(byDefault).contains("state directory: " + System.getProperty("java.io.tmpdir") + File.separator + "kafka-streams"
            + " (Kafka Streams' default; put kafka.state.dir on a persistent volume)");
        assertThat(set).endsWith("state directory: /var/lib/snapshot-processor");
    }

    @Test
    void shouldSayWhenDynamoDbIsOn() {
        assertThat(StartupSummary.describe(config("dynamodb.enabled", "true", "dynamodb.table", "snaps"),
            new FoldRegistry(List.of()))).contains("DynamoDB: on, table snaps");
    }

    @Test
    void shouldWarnThatEveryEventIsDeadLetteredWithoutFolds() {
        assertThat(StartupSummary.noFoldsWarning(new FoldRegistry(List.of()))).hasValueSatisfying(warning ->
            assertThat(warning).contains("every event will be dead-lettered as UNKNOWN_AGGREGATE_TYPE",
                "must be on the class path"));
    }
}
