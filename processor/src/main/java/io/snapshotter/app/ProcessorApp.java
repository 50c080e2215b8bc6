package io.snapshotter.app;

import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.registry.SchemaRegistryClient;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.topology.SnapshotTopology;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One running processor: topics checked, the topology running in Kafka Streams. */
public final class ProcessorApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessorApp.class);

    private final KafkaStreams streams;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private ProcessorApp(KafkaStreams streams) {
        this.streams = streams;
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                stopped.countDown();
            }
        });
    }

    /** Sets up the topics (when {@code topics.create}), then starts the topology. */
    public static ProcessorApp start(ProcessorConfig config, SchemaRegistryClient registry) throws InterruptedException {
        Properties props = config.streamsProperties();
        try (Admin admin = Admin.create(props)) {
            if (config.getBoolean(ProcessorConfig.TOPICS_CREATE)) {
                TopicSetup.ensureTopics(admin, config);
            } else {
                TopicSetup.requireCompacted(admin, config.snapshotsTopic());
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot check topic '" + config.snapshotsTopic() + "': "
                + e.getCause().getMessage(), e.getCause());
        }
        Topology topology = SnapshotTopology.buildTopology(config, registry);
        LOG.info("Topology:\n{}", topology.describe());
        KafkaStreams streams = new KafkaStreams(topology, props);
        streams.setUncaughtExceptionHandler(
            new BoundedThreadReplacement(config.getInt(ProcessorConfig.THREAD_REPLACEMENTS_MAX)));
        ProcessorApp app = new ProcessorApp(streams);
        streams.start();
        return app;
    }

    public KafkaStreams streams() {
        return streams;
    }

    /**
     * The local aggregates store for interactive queries, waiting up to {@code timeout} for it to
     * become queryable (after a rebalance or restore).
     */
    public ReadOnlyKeyValueStore<String, AggregateRecord> aggregates(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return streams.store(StoreQueryParameters.fromNameAndType(SnapshotTopology.AGGREGATES_STORE,
                    QueryableStoreTypes.keyValueStore()));
            } catch (InvalidStateStoreException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /** Blocks until Kafka Streams stops or fails, or until the thread is interrupted. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
    }
}
