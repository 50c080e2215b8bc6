package io.snapshotter.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.snapshotter.dynamodb.DynamoDbBackend;
import io.snapshotter.dynamodb.ProcessorFacts;
import io.snapshotter.sink.SnapshotRelay;
import io.snapshotter.sink.SnapshotSink;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.snapshotter.admin.KafkaSnapshotRequests;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.console.ConsoleSources;
import io.snapshotter.console.KafkaStreamsAssignments;
import io.snapshotter.console.RecentActivity;
import io.snapshotter.topology.FoldRegistry;
import io.snapshotter.http.ApiServer;
import io.snapshotter.http.HttpApi;
import io.snapshotter.http.HttpSettings;
import io.snapshotter.metrics.ProcessorMeters;
import io.snapshotter.query.Instance;
import io.snapshotter.query.InteractiveQueries;
import io.snapshotter.query.StreamsLifecycle;
import io.snapshotter.registry.SchemaRegistryClient;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.topology.SnapshotTopology;
import java.io.IOException;
import java.net.BindException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running processor: topics checked, the topology running in Kafka Streams, and (with
 * {@code http.enabled}) the HTTP API serving interactive queries, admin actions, health and
 * Prometheus metrics.
 */
public final class ProcessorApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessorApp.class);

    private final KafkaStreams streams;
    private final PrometheusMeterRegistry meters;
    private final Instance instance;
    private final SnapshotBackend storage;
    /** Closed last to first; the HTTP server after Kafka Streams, so a closing instance answers 503s. */
    private final Closing closing;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile KafkaStreams.State finalState;

    private ProcessorApp(KafkaStreams streams, StreamsLifecycle lifecycle, PrometheusMeterRegistry meters,
                         Instance instance, SnapshotBackend storage, Closing closing) {
        this.streams = streams;
        this.storage = storage;
        this.meters = meters;
        this.instance = instance;
        this.closing = closing;
        streams.setStateListener((now, before) -> {
            lifecycle.onChange(now, before);
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                finalState = now;
                stopped.countDown();
            }
        });
    }

    /**
     * Starts the processor with a metrics registry of its own ({@link #meters()}) and the snapshot
     * storage the configuration asks for ({@link #snapshotBackend}).
     */
    public static ProcessorApp start(ProcessorConfig config, SchemaRegistryClient registry) throws InterruptedException {
        PrometheusMeterRegistry meters = ProcessorMeters.newRegistry(config.applicationId());
        FoldRegistry folds = FoldRegistry.fromClassPath();
        return start(config, registry, folds, meters, () -> snapshotBackend(config, registry, folds, meters));
    }

    /** As {@link #start(ProcessorConfig, SchemaRegistryClient)}, with {@code folds} and {@code meters} of the caller's. */
    public static ProcessorApp start(ProcessorConfig config, SchemaRegistryClient registry, FoldRegistry folds,
                                     PrometheusMeterRegistry meters) throws InterruptedException {
        return start(config, registry, folds, meters, () -> snapshotBackend(config, registry, folds, meters));
    }

    /**
     * The snapshot backend the HTTP API reads and sweeps, as configured; the processor closes it.
     * Opened after the topics are set up (a consumer of a missing snapshot topic could have the
     * broker create it uncompacted). With {@code dynamodb.enabled}: the DynamoDB table (checked or
     * created) and a relay copying the snapshot topic into it, started here; otherwise none. Its
     * readers and retention prefer the fold versions of {@code folds}.
     */
    static SnapshotBackend snapshotBackend(ProcessorConfig config, SchemaRegistryClient registry, FoldRegistry folds,
                                           MeterRegistry meters) {
        if (!config.dynamoDbEnabled()) {
            return SnapshotBackend.none();
        }
        AvroWireCodec codec = new AvroWireCodec(registry);
        ProcessorFacts facts = new ProcessorFacts(folds.all().stream().collect(Collectors.toMap(
            f -> f.fold().aggregateType(), f -> f.fold().version())), config.topology().maxStateBytes());
        DynamoDbBackend dynamo = DynamoDbBackend.open(config.originals(), codec, meters, facts);
        SnapshotRelay relay = startRelay(config, codec, dynamo.sink(), meters);
        return SnapshotBackend.of(dynamo.history(), dynamo.retention(), relay, () -> {
            relay.close();
            dynamo.close();
        });
    }

    /**
     * Starts a relay of the snapshot topic into {@code sink}: consumer group
     * {@code <application.id>-<sink>-writer}, dead letters to the processor's dead-letter topic, the
     * processor's Kafka settings ({@code kafka.consumer.*} and {@code kafka.producer.*} over them).
     */
    public static SnapshotRelay startRelay(ProcessorConfig config, AvroWireCodec codec, SnapshotSink sink,
                                           MeterRegistry meters) {
        Properties producer = config.clientProperties(ProducerConfig.configNames(), "producer.");
        // a dead letter carries a snapshot, which may be as large as snapshot.max.bytes allows
        producer.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
            Integer.toString(config.topology().maxStateRecordBytes()));
        Properties consumer = config.clientProperties(ConsumerConfig.configNames(), "consumer.");
        // kafka.group.instance.id: a static member of the writer group too, so that a restarted
        // instance's writer takes its partitions back at once, without a rebalance
        String instanceId = config.streamsProperties().getProperty(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        if (instanceId != null && !consumer.containsKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)) {
            consumer.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId);
        }
        return new SnapshotRelay(config.applicationId(), consumer,
            producer, config.snapshotsTopic(), config.deadLetterTopic(), codec, sink, meters,
            new SnapshotRelay.Restarts(Duration.ofMillis(config.getLong(ProcessorConfig.SINK_RESTART_BACKOFF_MS)),
                Duration.ofMillis(config.getLong(ProcessorConfig.SINK_RESTART_BACKOFF_MAX_MS)))).start();
    }

    /**
     * Sets up the topics (when {@code topics.create}), binds the HTTP server (when
     * {@code http.enabled}: its address becomes Kafka Streams' {@code application.server} unless
     * {@code kafka.application.server} is set), then starts the topology and serves the API. Kafka
     * Streams starts once the schema registry answers ({@link RegistryStartupCheck}: waited for while
     * down; a misconfigured {@code schema.registry.url} fails the start).
     *
     * @param meters  where every metric goes: the topology's, Kafka Streams', HTTP's, the storage's
     * @param storageOpener opens the snapshot store behind the snapshot endpoints, once the topics are
     *                      set up; it is closed with the processor
     */
    public static ProcessorApp start(ProcessorConfig config, SchemaRegistryClient registry,
                                     PrometheusMeterRegistry meters, Supplier<SnapshotBackend> storageOpener)
            throws InterruptedException {
        return start(config, registry, FoldRegistry.fromClassPath(), meters, storageOpener);
    }

    private static ProcessorApp start(ProcessorConfig config, SchemaRegistryClient registry, FoldRegistry folds,
                                      PrometheusMeterRegistry meters, Supplier<SnapshotBackend> storageOpener)
            throws InterruptedException {
        // before anything is created: a per-type key of a type no fold has is a typo, not a wish
        config.requireFoldsForOverriddenTypes(folds.all().stream().map(f -> f.fold().aggregateType()).toList());
        StartupSummary.log(config, folds);
        Closing closing = new Closing();
        try {
            HttpSettings httpSettings = config.http();
            boolean http = httpSettings.enabled();
            // first: a port in use fails the start at once, before Kafka is touched
            ApiServer server = http ? bindHttp(httpSettings, meters) : null;
            if (http) {
                closing.push(server);
            }
            Topics topics = setUpTopics(config);
            int largestEvent = topics.largestEvent();
            SnapshotBackend storage = storageOpener.get();
            closing.push(storage.closer());
            Properties props = config.streamsProperties();
            // the producer writes a state up to snapshot.max.bytes, and dead letters of any event the topic accepted
            props.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                Integer.toString(config.topology().maxDeadLetterBytes(largestEvent)));
            if (http) {
                props.putIfAbsent(StreamsConfig.APPLICATION_SERVER_CONFIG, httpSettings.advertised(server.port()).toString());
            }

            RecentActivity activity = new RecentActivity(Clock.systemUTC());
            Topology topology = SnapshotTopology.buildTopology(config.topology(), registry, folds, meters, activity);
            LOG.info("Topology:\n{}", topology.describe());
            KafkaStreams streams = new KafkaStreams(topology, props);
            StreamsConfig streamsConfig = config.streamsConfig();
            StreamsLifecycle lifecycle = new StreamsLifecycle(streamsConfig.getInt(StreamsConfig.NUM_STREAM_THREADS_CONFIG),
                Path.of(streamsConfig.getString(StreamsConfig.STATE_DIR_CONFIG)));
            Duration closeTimeout = Duration.ofMillis(config.getLong(ProcessorConfig.CLOSE_TIMEOUT_MS));
            CloseOptions.GroupMembershipOperation membership = membershipOnClose(props);
            closing.push(() -> streams.close(CloseOptions.timeout(closeTimeout).withGroupMembershipOperation(membership)));
            streams.setUncaughtExceptionHandler(new BoundedThreadReplacement(
                config.getInt(ProcessorConfig.THREAD_REPLACEMENTS_MAX),
                Duration.ofMillis(config.getLong(ProcessorConfig.THREAD_REPLACEMENTS_WINDOW_MS))));
            closing.push(ProcessorMeters.bindKafkaStreams(streams, meters));
            closing.push(ProcessorMeters.bindProcess(meters, lifecycle.stateDirectory()));

            Instance self = null;
            if (http) {
                self = Instance.parse(props.getProperty(StreamsConfig.APPLICATION_SERVER_CONFIG));
                KafkaSnapshotRequests requests = new KafkaSnapshotRequests(config);
                closing.push(requests);
                InteractiveQueries queries = InteractiveQueries.over(streams, lifecycle, self, new InteractiveQueries.StandbyReads(
                        httpSettings.standbyReads(), httpSettings.standbyMaxLag()),
                    registry, storage.writer(), topics.eventPartitions());
                ConsoleSources console = new ConsoleSources(new KafkaStreamsAssignments(streams), activity,
                    storage.writer(), storage.writerLag());
                HttpApi.serve(server, httpSettings, new HttpApi.Sources(self, queries, storage.history(),
                    storage.retention(), requests, meters, console));
                LOG.info("HTTP API on {}:{}, advertised to other instances as {}", httpSettings.host(), server.port(), self);
            }
            ProcessorApp app = new ProcessorApp(streams, lifecycle, meters, self, storage, closing);
            RegistryStartupCheck.await(registry, config.registry().url());
            streams.start();
            return app;
        } catch (RuntimeException | Error | InterruptedException e) {
            closing.close();
            throw e;
        }
    }

    /**
     * What a closing instance does with its group membership. A dynamic member leaves, unlike Kafka
     * Streams' default: a stopped application then has no members at once, so {@code replay} (and
     * Kafka's reset tool) can run without waiting out the session. A static member
     * ({@code group.instance.id}) stays: restarted within {@code session.timeout.ms} (a rolling
     * restart), it takes its tasks back without a rebalance.
     */
    static CloseOptions.GroupMembershipOperation membershipOnClose(Properties streamsProperties) {
        return streamsProperties.containsKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)
            ? CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP
            : CloseOptions.GroupMembershipOperation.LEAVE_GROUP;
    }

    /** Binds the HTTP server; a port another process has stops the start naming {@code http.port}. */
    private static ApiServer bindHttp(HttpSettings settings, MeterRegistry meters) {
        try {
            return ApiServer.bind(settings, meters);
        } catch (BindException e) {
            throw new ConfigException(HttpSettings.PORT, settings.port(), "cannot listen on " + settings.host() + ":"
                + settings.port() + " (" + e.getMessage() + "): another process has the port; choose another, or 0 for "
                + "a free one");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the HTTP server: " + e.getMessage(), e);
        }
    }

    /**
     * Deletes {@code stateDir/applicationId}, this host's local state of the application (what
     * {@code KafkaStreams#cleanUp} removes): for an explicit reset only, never on an ordinary start.
     */
    public static void wipeLocalState(Path stateDir, String applicationId) {
        Path appDir = stateDir.resolve(applicationId);
        if (!Files.exists(appDir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(appDir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete the local state in " + appDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * What the start needs to know of the topics once set up.
     *
     * @param largestEvent    the largest record the events topic accepts
     * @param eventPartitions the events topic's partitions, which are the aggregates store's
     */
    private record Topics(int largestEvent, int eventPartitions) {
    }

    /** Sets up and checks the topics. */
    private static Topics setUpTopics(ProcessorConfig config) throws InterruptedException {
        try (Admin admin = Admin.create(config.streamsProperties())) {
            if (config.getBoolean(ProcessorConfig.TOPICS_CREATE)) {
                TopicSetup.ensureTopics(admin, config);
            } else {
                TopicSetup.requireCompacted(admin, config.snapshotsTopic());
                TopicSetup.requireCoPartitioned(admin, config);
            }
            return new Topics(TopicSetup.ensureRecordSizes(admin, config),
                TopicSetup.partitionsOf(admin, config.eventsTopic()));
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot check topic '" + config.snapshotsTopic() + "': "
                + e.getCause().getMessage(), e.getCause());
        }
    }

    public KafkaStreams streams() {
        return streams;
    }

    /** The registry every metric of this processor goes to; {@code GET /metrics} serves it. */
    public PrometheusMeterRegistry meters() {
        return meters;
    }

    /** The status of the relay writing the snapshot store (the DynamoDB writer); empty without one. */
    public Optional<SnapshotRelay.Status> snapshotWriter() {
        return storage.writer().map(Supplier::get);
    }

    /** This instance as other instances reach it; empty without HTTP. */
    public Optional<Instance> instance() {
        return Optional.ofNullable(instance);
    }

    /** The base URL of the HTTP API, e.g. {@code http://127.0.0.1:8080}; empty without HTTP. */
    public Optional<URI> httpAddress() {
        return instance().map(i -> URI.create("http://" + i));
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

    /**
     * Blocks until Kafka Streams stops or fails, or until the thread is interrupted.
     *
     * @return the state Kafka Streams ended in: {@code ERROR} when it failed (its threads died past
     *         the replacement budget, say), {@code NOT_RUNNING} when it was closed
     */
    public KafkaStreams.State awaitStop() throws InterruptedException {
        stopped.await();
        return finalState;
    }

    /**
     * Stops the processor: Kafka Streams within {@code processor.close.timeout.ms} (leaving the group),
     * then the HTTP server, the snapshot writer and the rest. Closing again, or from two threads at
     * once, waits for the first close.
     */
    @Override
    public void close() {
        closing.close();
    }
}
