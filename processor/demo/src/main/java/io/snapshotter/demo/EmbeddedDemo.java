package io.snapshotter.demo;

import io.snapshotter.domain.inventory.SampleInventoryStream;
import io.snapshotter.testkit.EmbeddedKafka;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.snapshotter.app.ProcessorApp;
import io.snapshotter.app.SnapshotBackend;
import io.snapshotter.metrics.ProcessorMeters;
import io.snapshotter.sink.SnapshotRelay;
import io.snapshotter.config.ConfigSources;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.http.HttpSettings;
import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.registry.RegistryConfig;
import io.snapshotter.registry.SchemaRegistries;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.SpecificAvroSerde;
import io.snapshotter.deadletter.DeadLetters;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The README's first command: a real KRaft broker and an in-memory schema registry in this JVM,
 * the processor on its configured defaults, a sample inventory event stream fed in (with two bad
 * records, to show the dead-letter topic), and the snapshots and folded state printed as they come.
 * The HTTP API listens on loopback ({@code http.port}, 8080 by default; a free port, said so, when
 * that one is taken) with an admin token made for the run unless one is configured; ready-to-paste
 * curl lines are printed. The state lives in {@code ./state} unless {@code kafka.state.dir} says
 * otherwise, emptied at the start: the broker is new with every run, so state of an earlier run
 * would only be restored to be thrown away.
 */
public final class EmbeddedDemo {

    /** Where the demo keeps its RocksDB state, relative to the working directory. */
    static final String STATE_DIR = "state";

    private final PrintStream out;
    private final AtomicBoolean running = new AtomicBoolean(true);

    public EmbeddedDemo(PrintStream out) {
        this.out = out;
    }

    /** Ends {@link #run} within a few seconds, as Ctrl-C does. */
    public void stop() {
        running.set(false);
    }

    /** Runs until {@code duration} has passed (or forever when null), feeding {@code eventsPerSecond}. */
    public void run(ConfigSources.Loaded configValues, Duration duration, int eventsPerSecond) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            out.println("Kafka broker (KRaft, in this JVM) at " + kafka.bootstrapServers());
            Map<String, String> values = new HashMap<>(configValues.values());
            // the registry is the in-memory one made below, whatever the configuration names
            values.put(RegistryConfig.URL, SchemaRegistries.IN_MEMORY_SCHEME + "embedded");
            values.put(ProcessorConfig.KAFKA_PREFIX + StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            values.putIfAbsent(ProcessorConfig.KAFKA_PREFIX + StreamsConfig.STATE_DIR_CONFIG, STATE_DIR);
            values.putIfAbsent(HttpSettings.HOST, "127.0.0.1");
            values.putIfAbsent(HttpSettings.ADMIN_TOKEN, UUID.randomUUID().toString());
            HttpSettings http = HttpSettings.from(values);
            if (http.port() != 0 && !free(http.host(), http.port())) {
                out.printf("Port %d is in use: the HTTP API takes a free port instead (below)%n", http.port());
                values.put(HttpSettings.PORT, "0");
            }
            ProcessorConfig config = new ProcessorConfig(new ConfigSources.Loaded(values, configValues.origins()));
            Path stateDir = Path.of(config.streamsConfig().getString(StreamsConfig.STATE_DIR_CONFIG));
            ProcessorApp.wipeLocalState(stateDir, config.applicationId());
            out.println("State: " + stateDir.resolve(config.applicationId()) + " (RocksDB; emptied at each start)");
            InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
            AvroWireCodec codec = new AvroWireCodec(registry);

            PrometheusMeterRegistry meters = ProcessorMeters.newRegistry(config.applicationId());
            try (ProcessorApp app = ProcessorApp.start(config, registry, meters, () -> snapshotStore(config, codec, meters))) {
                out.printf("Processor '%s' folding %s into snapshots on %s (dead letters: %s)%n",
                    config.applicationId(), config.eventsTopic(), config.snapshotsTopic(), config.deadLetterTopic());
                out.println("Snapshot history: an in-memory store in this JVM, fed from " + config.snapshotsTopic()
                    + " by the snapshot relay that feeds DynamoDB in production (docker compose runs it with DynamoDB)");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> running.set(false)));
                Thread feeder = new Thread(() -> feed(config, codec, eventsPerSecond, running), "sample-feed");
                Thread printer = new Thread(() -> printOutputs(kafka, config, codec, running), "output-printer");
                feeder.start();
                printer.start();
                try {
                    long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
                    ReadOnlyKeyValueStore<String, AggregateRecord> store = app.aggregates(Duration.ofSeconds(60));
                    app.instance().ifPresent(self -> printCurlLines(self.port(), config));
                    while (running.get() && System.nanoTime() < end) {
                        Thread.sleep(Math.min(5_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
                        printState(store, codec);
                    }
                } finally {
                    // the producer and the printer stop before the processor and the broker do
                    running.set(false);
                    feeder.join();
                    printer.join();
                }
            }
        }
    }

    /**
     * The newest {@code dynamodb.retention.keep} snapshots per aggregate in memory, fed by a relay of
     * the snapshot topic: the demo's stand-in for the DynamoDB table.
     */
    private static SnapshotBackend snapshotStore(ProcessorConfig config, AvroWireCodec codec,
                                                 PrometheusMeterRegistry meters) {
        InMemorySnapshotStore store = new InMemorySnapshotStore(codec, config.dynamoDb().keep());
        SnapshotRelay relay = ProcessorApp.startRelay(config, codec, store, meters);
        return SnapshotBackend.of(store, store, relay, relay::close);
    }

    private void printCurlLines(int port, ProcessorConfig config) {
        String base = "http://localhost:" + port;
        out.printf("HTTP API at %s; try:%n", base);
        out.printf("  %s/ in a browser: the web console%n", base);
        out.printf("  curl -s %s/aggregates/%s%n", base, SampleInventoryStream.itemId(0));
        out.printf("  curl -s %s/aggregates/%s/snapshots%n", base, SampleInventoryStream.itemId(0));
        out.printf("  curl -s %s/metrics | grep snapshotter_%n", base);
        config.http().adminToken().ifPresent(token -> out.printf(
            "  curl -s -X POST -H 'Authorization: Bearer %s' %s/admin/snapshots/%s%n", token, base,
            SampleInventoryStream.itemId(0)));
    }

    private static void feed(ProcessorConfig config, AvroWireCodec codec, int eventsPerSecond, AtomicBoolean running) {
        try {
            new SampleProducer(config, codec).run(eventsPerSecond, true, running::get);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void printOutputs(EmbeddedKafka kafka, ProcessorConfig config, AvroWireCodec codec, AtomicBoolean running) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG, "embedded-demo-printer",
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        var snapshots = SpecificAvroSerde.forValues(codec, Snapshot.class, false).deserializer();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(config.snapshotsTopic(), config.deadLetterTopic()));
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.topic().equals(config.deadLetterTopic())) {
                        out.printf("[dead letter] key=%s reason=%s: %s%n",
                            record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8),
                            DeadLetters.header(record.headers(), DeadLetters.REASON),
                            DeadLetters.header(record.headers(), DeadLetters.ERROR));
                    } else {
                        Snapshot s = snapshots.deserialize(record.topic(), record.value());
                        out.printf("[snapshot] %-13s %-15s v%-5d %-5s %4d B %s%n", s.getAggregateType(),
                            s.getAggregateId(), s.getVersion(), s.getMetadata().getReason(), s.getState().remaining(),
                            s.getChecksum());
                    }
                }
            }
        }
    }

    /** Whether nothing listens on {@code host:port} yet. */
    private static boolean free(String host, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(host, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void printState(ReadOnlyKeyValueStore<String, AggregateRecord> store, AvroWireCodec codec) {
        try {
            printStateOf(store, codec);
        } catch (InvalidStateStoreException e) {
            out.println("[state] the store is being rebalanced; the state follows in the next report");
        }
    }

    private void printStateOf(ReadOnlyKeyValueStore<String, AggregateRecord> store, AvroWireCodec codec) {
        long aggregates;
        try (KeyValueIterator<String, AggregateRecord> all = store.all()) {
            aggregates = 0;
            while (all.hasNext()) {
                all.next();
                aggregates++;
            }
        }
        out.printf("[state] %d aggregates in the store; a few of them:%n", aggregates);
        for (String id : List.of(SampleInventoryStream.itemId(0), SampleInventoryStream.itemId(1),
                SampleInventoryStream.warehouseId(0))) {
            AggregateRecord record = store.get(id);
            if (record != null) {
                Object state = codec.decode(record.getState().array(), codec.writerSchemaOf(record.getState().array()));
                out.printf("[state]   %s v%d (%d since last snapshot): %s%n", id, record.getVersion(),
                    record.getEventsSinceSnapshot(), state);
            }
        }
    }
}
