package io.snapshotter.dynamodb;

import io.micrometer.core.instrument.MeterRegistry;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.serde.AvroWireCodec;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The DynamoDB snapshot store of one processor: the client, the table (checked or created at
 * open), the reader, the retention sweep, and the writer that copies the snapshot topic in.
 */
public final class DynamoDbSnapshots implements AutoCloseable {

    private final DynamoDbClient client;
    private final DynamoDbSettings settings;
    private final DynamoDbSnapshotStore store;
    private final DynamoDbRetention retention;
    private final boolean ownsClient;
    private final AtomicBoolean open = new AtomicBoolean(true);
    private DynamoDbSnapshotWriter writer;

    private DynamoDbSnapshots(DynamoDbClient client, boolean ownsClient, DynamoDbSettings settings, AvroWireCodec codec,
                              MeterRegistry meters) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.settings = settings;
        this.store = new DynamoDbSnapshotStore(client, settings.table(), codec);
        this.retention = new DynamoDbRetention(client, settings, new BatchWriter(client, settings, open::get, meters));
    }

    /** Connects with the configured client and checks (or creates) the table. */
    public static DynamoDbSnapshots open(ProcessorConfig config, AvroWireCodec codec, MeterRegistry meters) {
        DynamoDbSettings settings = DynamoDbSettings.from(config);
        DynamoDbClient client = settings.newClient();
        try {
            SnapshotTable.ensure(client, settings);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        return new DynamoDbSnapshots(client, true, settings, codec, meters);
    }

    /**
     * As {@link #open(ProcessorConfig, AvroWireCodec, MeterRegistry)}, with a client of the caller's,
     * which {@link #close()} leaves open.
     */
    public static DynamoDbSnapshots open(DynamoDbClient client, DynamoDbSettings settings, AvroWireCodec codec,
                                         MeterRegistry meters) {
        SnapshotTable.ensure(client, settings);
        return new DynamoDbSnapshots(client, false, settings, codec, meters);
    }

    /**
     * Starts the writer: consumer group {@code <application.id>-dynamodb-writer} on the snapshot
     * topic, dead letters to the processor's dead-letter topic.
     */
    public DynamoDbSnapshotWriter startWriter(ProcessorConfig config, AvroWireCodec codec, MeterRegistry meters) {
        Properties consumer = config.clientProperties(ConsumerConfig.configNames(), "consumer.");
        consumer.put(ConsumerConfig.GROUP_ID_CONFIG, config.applicationId() + "-dynamodb-writer");
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Properties producer = config.clientProperties(ProducerConfig.configNames(), "producer.");
        writer = new DynamoDbSnapshotWriter(consumer, producer, config.snapshotsTopic(), config.deadLetterTopic(), codec,
            this, meters);
        writer.start();
        return writer;
    }

    public DynamoDbSnapshotStore store() {
        return store;
    }

    public DynamoDbRetention retention() {
        return retention;
    }

    DynamoDbClient client() {
        return client;
    }

    DynamoDbSettings settings() {
        return settings;
    }

    @Override
    public void close() {
        open.set(false);
        if (writer != null) {
            writer.close();
        }
        if (ownsClient) {
            client.close();
        }
    }
}
