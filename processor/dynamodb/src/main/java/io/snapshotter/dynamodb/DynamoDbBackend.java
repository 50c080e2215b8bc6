package io.snapshotter.dynamodb;

import io.micrometer.core.instrument.MeterRegistry;
import io.snapshotter.serde.AvroWireCodec;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The DynamoDB side of one processor: the client and the table (checked or created at open), and
 * over them the {@link #history() history reader}, the {@link #retention() retention sweep} and the
 * {@link #sink() sink} a relay copies the snapshot topic into.
 */
public final class DynamoDbBackend implements AutoCloseable {

    private final DynamoDbClient client;
    private final DynamoDbSnapshotHistory history;
    private final DynamoDbRetention retention;
    private final DynamoDbSnapshotSink sink;
    private final boolean ownsClient;
    private final AtomicBoolean open = new AtomicBoolean(true);

    private DynamoDbBackend(DynamoDbClient client, boolean ownsClient, DynamoDbSettings settings, AvroWireCodec codec,
                            MeterRegistry meters, ProcessorFacts facts) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.history = new DynamoDbSnapshotHistory(client, settings.table(), codec, facts);
        this.retention = new DynamoDbRetention(client, settings, new BatchWriter(client, settings, open::get, meters),
            facts);
        this.sink = new DynamoDbSnapshotSink(client, settings, meters, retention);
    }

    /** Connects with the configured client ({@code dynamodb.*} in {@code values}) and checks (or creates) the table. */
    public static DynamoDbBackend open(Map<String, ?> values, AvroWireCodec codec, MeterRegistry meters) {
        return open(values, codec, meters, ProcessorFacts.NONE);
    }

    /**
     * As {@link #open(Map, AvroWireCodec, MeterRegistry)}, reading and pruning with what {@code facts}
     * says of the processor (its current fold versions, its largest state).
     */
    public static DynamoDbBackend open(Map<String, ?> values, AvroWireCodec codec, MeterRegistry meters,
                                       ProcessorFacts facts) {
        DynamoDbSettings settings = DynamoDbSettings.from(values);
        DynamoDbClient client = settings.newClient();
        try {
            SnapshotTable.ensure(client, settings);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        return new DynamoDbBackend(client, true, settings, codec, meters, facts);
    }

    /**
     * As {@link #open(Map, AvroWireCodec, MeterRegistry)}, with a client of the caller's, which
     * {@link #close()} leaves open.
     */
    public static DynamoDbBackend open(DynamoDbClient client, DynamoDbSettings settings, AvroWireCodec codec,
                                       MeterRegistry meters) {
        return open(client, settings, codec, meters, ProcessorFacts.NONE);
    }

    /** As {@link #open(DynamoDbClient, DynamoDbSettings, AvroWireCodec, MeterRegistry)}, with {@code facts}. */
    public static DynamoDbBackend open(DynamoDbClient client, DynamoDbSettings settings, AvroWireCodec codec,
                                       MeterRegistry meters, ProcessorFacts facts) {
        SnapshotTable.ensure(client, settings);
        return new DynamoDbBackend(client, false, settings, codec, meters, facts);
    }

    public DynamoDbSnapshotHistory history() {
        return history;
    }

    public DynamoDbRetention retention() {
        return retention;
    }

    /** The sink for a {@link io.snapshotter.sink.SnapshotRelay}; close the relay before this backend. */
    public DynamoDbSnapshotSink sink() {
        return sink;
    }

    @Override
    public void close() {
        open.set(false);
        sink.close();
        if (ownsClient) {
            client.close();
        }
    }
}
