package io.snapshotter.replay;

import io.snapshotter.registry.RegistryConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.snapshotter.app.ProcessorApp;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.dynamodb.DynamoDbBackend;
import io.snapshotter.topology.FoldRegistry;
import io.snapshotter.metrics.ProcessorMeters;
import io.snapshotter.registry.SchemaRegistryClient;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.SpecificAvroSerde;
import io.snapshotter.sink.SnapshotRelay;
import io.snapshotter.registry.SubjectNameStrategy;
import io.snapshotter.topology.SnapshotTopology;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The {@code replay} command: resets the application the way Kafka's application reset tool does,
 * then folds the events again with this processor and stops once it has caught up.
 *
 * <p>A <b>full replay</b> sets the input offsets to the earliest, deletes the changelog and
 * repartition topics, wipes this host's local state (only here, as an explicit step), and folds
 * every event again: count snapshots come out at the same versions with the same state bytes, and
 * DynamoDB, keyed by (aggregateId, version), is rewritten in place.
 *
 * <p>A replay <b>from a point in time</b> {@code T} first picks a seed for each aggregate: its newest
 * snapshot whose events all happened at or before {@code T}, made by the current fold version of its
 * type (see {@link ReplaySeeds}); it writes the seeds into the new aggregates changelog, from which
 * the store restores; and it starts each partition at its first event not already in a seed, so
 * nothing before {@code T} that a seed lacks is skipped. Events a seed holds that lie after that
 * start are skipped by the fold as duplicates (their sequence is at most the seed's version).
 *
 * <p>It refuses to run while instances of the application are members of its consumer group.
 */
public final class Replay {

    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration STALL_REPORT = Duration.ofSeconds(30);
    /** Failures in a row of the DynamoDB writer after which the replay stops waiting for it. */
    private static final int WRITER_FAILURES_GIVEN_UP = 3;
    /** Partitions of the one events topic, in order, for the printed offsets. */
    private static final Comparator<TopicPartition> BY_PARTITION = Comparator.comparingInt(TopicPartition::partition);

    private final ProcessorConfig config;
    private final SchemaRegistryClient registry;
    private final FoldRegistry folds;
    private final PrintWriter out;
    private final boolean console;

    /** A summary of a finished replay. */
    public record Result(long eventsTotal, long eventsReplayed, int seeds, Map<TopicPartition, Long> startOffsets,
                         Duration resetTime, Duration foldTime) {
    }

    public Replay(ProcessorConfig config, SchemaRegistryClient registry, FoldRegistry folds, PrintStream out,
                  boolean console) {
        this(config, registry, folds, new PrintWriter(printingTo(out), true), console);
    }

    /** Text written to {@code out} as {@code out} prints it (its own charset), flushed with it, never closed. */
    private static Writer printingTo(PrintStream out) {
        return new Writer() {
            @Override
            public void write(char[] chars, int offset, int length) {
                out.print(new String(chars, offset, length));
            }

            @Override
            public void flush() {
                out.flush();
            }

            @Override
            public void close() {
                out.flush();
            }
        };
    }

    /** Prints to {@code out} (the command line's, with the {@code replay} command), flushing each line. */
    public Replay(ProcessorConfig config, SchemaRegistryClient registry, FoldRegistry folds, PrintWriter out,
                  boolean console) {
        this.config = config;
        this.registry = registry;
        this.folds = folds;
        this.out = out;
        this.console = console;
    }

    public Result run(ReplayOptions options) throws InterruptedException {
        long startedAt = System.nanoTime();
        String applicationId = config.applicationId();
        AvroWireCodec codec = new AvroWireCodec(registry);
        Map<TopicPartition, Long> start;
        Map<TopicPartition, Long> end;
        int seeded = 0;
        try (Admin admin = Admin.create(config.streamsProperties())) {
            ApplicationReset reset = new ApplicationReset(admin, applicationId);
            reset.requireNoActiveMembers();
            List<TopicPartition> partitions = partitionsOf(admin, config.eventsTopic());
            end = offsets(admin, partitions, OffsetSpec.latest());
            ReplaySeeds seeds = null;
            if (options.from().isPresent()) {
                Instant from = options.from().get();
                seeds = new ReplaySeeds(from, folds);
                readSeeds(options.seedSource(), seeds, codec);
                out.println("replay: " + seeds.summary());
                start = firstUncovered(partitions, offsets(admin, partitions, OffsetSpec.earliest()), end, seeds, codec);
                Map<TopicPartition, Long> atTime = offsets(admin, partitions, OffsetSpec.forTimestamp(from.toEpochMilli()));
                for (TopicPartition p : partitions) {
                    long t = atTime.getOrDefault(p, -1L) < 0 ? end.get(p) : atTime.get(p);
                    out.printf("replay: %s starts at offset %,d (offset at %s: %,d; end: %,d)%n", p, start.get(p), from, t,
                        end.get(p));
                }
            } else {
                start = offsets(admin, partitions, OffsetSpec.earliest());
            }
            Set<String> internal = reset.internalTopics();
            Path stateDir = Path.of(config.streamsConfig().getString(StreamsConfig.STATE_DIR_CONFIG));
            if (options.dryRun()) {
                long total = partitions.stream().mapToLong(p -> end.get(p) - start.get(p)).sum();
                out.println("replay (dry run): nothing is changed. It would:");
                out.println("  set the offsets of consumer group '" + applicationId + "' on " + config.eventsTopic()
                    + " to " + start);
                out.println("  delete the internal topics " + internal);
                out.println("  wipe the local state " + stateDir.resolve(applicationId));
                if (seeds != null) {
                    out.println("  write " + seeds.seeds().size() + " seeds to the new aggregates changelog");
                }
                out.printf("  fold %,d events of %s on %d partitions%n", total, config.eventsTopic(), partitions.size());
                return new Result(total, 0, 0, start, Duration.ofNanos(System.nanoTime() - startedAt), Duration.ZERO);
            }
            out.println("replay: deleting internal topics " + internal + " and the local state of '" + applicationId + "'");
            reset.deleteTopics(internal);
            ProcessorApp.wipeLocalState(stateDir, applicationId);
            if (seeds != null && !seeds.seeds().isEmpty()) {
                String changelog = applicationId + "-" + SnapshotTopology.AGGREGATES_STORE + "-changelog";
                reset.createChangelog(changelog, partitions.size());
                writeSeeds(changelog, partitions.size(), seeds.seeds(), codec);
                seeded = seeds.seeds().size();
            }
            reset.commitOffsets(start);
            Duration resetTime = Duration.ofNanos(System.nanoTime() - startedAt);
            long total = partitions.stream().mapToLong(p -> end.get(p) - start.get(p)).sum();
            out.printf("replay: reset in %.1f s; folding %,d events of %s on %d partitions%n", resetTime.toMillis() / 1e3,
                total, config.eventsTopic(), partitions.size());

            long foldStartedAt = System.nanoTime();
            PrometheusMeterRegistry meters = ProcessorMeters.newRegistry(applicationId);
            ReplayProgress progress = new ReplayProgress(out, console, total, meters);
            try (ProcessorApp app = ProcessorApp.start(config, registry, folds, meters)) {
                awaitFolded(admin, app, start, end, progress, options.progressInterval());
                progress.finish();
                if (config.dynamoDbEnabled()) {
                    awaitDynamoDb(admin, app);
                }
            }
            return new Result(total, progress.done(), seeded, start, resetTime,
                Duration.ofNanos(System.nanoTime() - foldStartedAt));
        }
    }

    private void readSeeds(ReplayOptions.SeedSource source, ReplaySeeds seeds, AvroWireCodec codec) {
        boolean dynamo = source == ReplayOptions.SeedSource.DYNAMODB
            || source == ReplayOptions.SeedSource.AUTO && config.dynamoDbEnabled();
        if (dynamo) {
            out.println("replay: reading seed snapshots from DynamoDB");
            try (DynamoDbBackend dynamoDb = DynamoDbBackend.open(config.originals(), codec, new SimpleMeterRegistry())) {
                dynamoDb.history().forEachSnapshot(seeds::offer);
            }
        } else {
            out.println("replay: reading seed snapshots from " + config.snapshotsTopic());
            readSnapshotsTopic(codec, seeds::offer);
        }
    }

    /** Every committed snapshot on the snapshots topic, up to its end when this starts. */
    private void readSnapshotsTopic(AvroWireCodec codec, Consumer<Snapshot> action) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("read_committed")) {
            List<TopicPartition> partitions = consumer.partitionsFor(config.snapshotsTopic()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            if (partitions.isEmpty()) {
                out.println("replay: " + config.snapshotsTopic() + " does not exist: no seed snapshots");
                return;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    if (record.value() == null) {
                        continue;
                    }
                    try {
                        action.accept(codec.decode(record.value(), Snapshot.class));
                    } catch (RuntimeException e) {
                        out.println("replay: skipping an undecodable snapshot at " + record.topic() + "-"
                            + record.partition() + "@" + record.offset() + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    /**
     * Per partition, the offset of the first event no seed holds (its end if there is none): the
     * replay starts there. Reads each partition from its earliest offset up to that event only.
     */
    private Map<TopicPartition, Long> firstUncovered(List<TopicPartition> partitions, Map<TopicPartition, Long> earliest,
                                                    Map<TopicPartition, Long> end, ReplaySeeds seeds, AvroWireCodec codec) {
        Map<TopicPartition, Long> start = new TreeMap<>(BY_PARTITION);
        Set<TopicPartition> open = new HashSet<>();
        for (TopicPartition p : partitions) {
            if (earliest.get(p) >= end.get(p)) {
                start.put(p, end.get(p));
            } else {
                open.add(p);
            }
        }
        if (open.isEmpty()) {
            return start;
        }
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("read_uncommitted")) {
            consumer.assign(open);
            for (TopicPartition p : open) {
                consumer.seek(p, earliest.get(p));
            }
            while (!open.isEmpty()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    TopicPartition p = new TopicPartition(record.topic(), record.partition());
                    if (!open.contains(p)) {
                        continue;
                    }
                    String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
                    if (key == null || record.value() == null || !seeds.covers(key, record.value(), codec)) {
                        start.put(p, record.offset());
                        open.remove(p);
                        consumer.pause(List.of(p));
                    }
                }
                for (TopicPartition p : List.copyOf(open)) {
                    if (consumer.position(p) >= end.get(p)) {
                        start.put(p, end.get(p));
                        open.remove(p);
                        consumer.pause(List.of(p));
                    }
                }
            }
        }
        return start;
    }

    /**
     * Writes each seed's store record to the aggregates changelog, in the partition of the task that
     * owns the aggregate (Kafka's default partitioning of the aggregateId, which the events topic
     * shares: its producers key by aggregateId), with the store's own serde.
     */
    private void writeSeeds(String changelog, int partitions, Map<String, Snapshot> seeds, AvroWireCodec codec) {
        Properties props = config.clientProperties(ProducerConfig.configNames(), "producer.");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        var serializer = new SpecificAvroSerde<>(codec, AggregateRecord.class, SubjectNameStrategy.RECORD_NAME, false,
            config.getBoolean(RegistryConfig.AUTO_REGISTER)).serializer();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (Map.Entry<String, Snapshot> seed : seeds.entrySet()) {
                byte[] key = seed.getKey().getBytes(StandardCharsets.UTF_8);
                int partition = Utils.toPositive(Utils.murmur2(key)) % partitions;
                producer.send(new ProducerRecord<>(changelog, partition, key,
                    serializer.serialize(changelog, ReplaySeeds.storeRecord(seed.getValue()))));
            }
            producer.flush();
        }
        out.printf("replay: wrote %,d seeds to %s%n", seeds.size(), changelog);
    }

    private void awaitFolded(Admin admin, ProcessorApp app, Map<TopicPartition, Long> start,
                             Map<TopicPartition, Long> end, ReplayProgress progress, Duration interval)
            throws InterruptedException {
        long nextReport = System.nanoTime();
        long lastDone = -1;
        long progressedAt = System.nanoTime();
        while (true) {
            Map<TopicPartition, OffsetAndMetadata> committed = committed(admin, config.applicationId());
            Map<TopicPartition, Long> positions = new TreeMap<>(BY_PARTITION);
            long done = 0;
            boolean caughtUp = true;
            for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
                OffsetAndMetadata at = committed.get(e.getKey());
                long position = at == null ? start.get(e.getKey()) : Math.min(at.offset(), e.getValue());
                positions.put(e.getKey(), position);
                done += Math.max(0, position - start.get(e.getKey()));
                caughtUp &= position >= e.getValue();
            }
            if (caughtUp || System.nanoTime() >= nextReport) {
                progress.update(done);
                nextReport = System.nanoTime() + interval.toNanos();
            }
            if (caughtUp) {
                return;
            }
            KafkaStreams.State state = app.streams().state();
            if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException("The processor stopped during the replay (" + state + "); see its log");
            }
            if (done != lastDone) {
                lastDone = done;
                progressedAt = System.nanoTime();
            } else if (System.nanoTime() - progressedAt > STALL_REPORT.toNanos()) {
                out.printf("%nreplay: no progress for %d s; Kafka Streams is %s; committed %s of %s%n",
                    STALL_REPORT.toSeconds(), state, positions, end);
                progressedAt = System.nanoTime();
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** Waits until the DynamoDB writer has written every snapshot the replay emitted. */
    private void awaitDynamoDb(Admin admin, ProcessorApp app) throws InterruptedException {
        List<TopicPartition> partitions = partitionsOf(admin, config.snapshotsTopic());
        Map<TopicPartition, Long> end = offsets(admin, partitions, OffsetSpec.latest());
        String group = config.applicationId() + "-dynamodb-writer";
        out.println("replay: waiting for the DynamoDB writer to write the snapshots");
        while (true) {
            Map<TopicPartition, OffsetAndMetadata> committed = committed(admin, group);
            if (end.entrySet().stream().allMatch(e -> e.getValue() == 0
                    || committed.containsKey(e.getKey()) && committed.get(e.getKey()).offset() >= e.getValue())) {
                out.println("replay: DynamoDB has every snapshot");
                return;
            }
            if (app.streams().state() == KafkaStreams.State.ERROR) {
                throw new IllegalStateException("The processor failed while DynamoDB caught up; see its log");
            }
            // restarted after each failure, the writer may recover from a blip; one failing again and again will not
            Optional<SnapshotRelay.Status> writer = app.snapshotWriter();
            if (writer.isPresent() && writer.get().failures() >= WRITER_FAILURES_GIVEN_UP) {
                throw new IllegalStateException("The DynamoDB writer keeps failing (" + writer.get().failures()
                    + " times in a row since " + writer.get().since() + "), so DynamoDB will not catch up: "
                    + writer.get().lastError());
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer(String isolation) {
        Properties props = config.clientProperties(ConsumerConfig.configNames(), "consumer.");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        // reading must not create a missing topic (the snapshots topic, on a broker that auto-creates)
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static List<TopicPartition> partitionsOf(Admin admin, String topic) throws InterruptedException {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot describe topic '" + topic + "': " + e.getCause().getMessage(),
                e.getCause());
        }
    }

    private static Map<TopicPartition, Long> offsets(Admin admin, List<TopicPartition> partitions, OffsetSpec spec)
            throws InterruptedException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(p -> request.put(p, spec));
        try {
            Map<TopicPartition, Long> offsets = new TreeMap<>(BY_PARTITION);
            admin.listOffsets(request).all().get().forEach((p, info) -> offsets.put(p, info.offset()));
            return offsets;
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot list offsets: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed(Admin admin, String group)
            throws InterruptedException {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get());
            offsets.values().removeIf(Objects::isNull);
            return offsets;
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot read the offsets of group '" + group + "': "
                + e.getCause().getMessage(), e.getCause());
        }
    }
}
