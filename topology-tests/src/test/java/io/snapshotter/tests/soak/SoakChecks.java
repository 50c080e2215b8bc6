package io.snapshotter.tests.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.snapshotter.deadletter.DeadLetters;
import io.snapshotter.domain.inventory.InventoryItemFold;
import io.snapshotter.domain.inventory.WarehouseFold;
import io.snapshotter.dynamodb.DynamoDbSnapshotHistory;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.SpecificAvroSerde;
import io.snapshotter.snapshot.SnapshotFactory;
import io.snapshotter.snapshot.SnapshotPage;
import io.snapshotter.snapshot.StoredSnapshot;
import io.snapshotter.tests.http.ServedJson;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * The soak's checks of the outcome, each counting its failures rather than stopping at the first
 * (a soak's report should say how much went wrong, not only that something did):
 * <ol>
 *   <li>every aggregate served over HTTP (from either instance) has the reference state and version;</li>
 *   <li>no event folded twice: no aggregate served past its reference version, no count snapshot's
 *       state off the reference state at its version;</li>
 *   <li>on the snapshot topic, read committed, no two snapshots of one (aggregateId, version)
 *       differ, and each is there once;</li>
 *   <li>every count snapshot is there, and no other;</li>
 *   <li>DynamoDB holds, for every aggregate, the newest K of the topic's snapshots, each verified
 *       (checksum, decompression, decoding) and equal to the topic's, and no more than K;</li>
 *   <li>every bad record is in the dead-letter topic, once, with its reason, and no good event is.</li>
 * </ol>
 * The waits (until the instances serve every last version, until DynamoDB has caught up) share one
 * deadline each; what is still wrong when it passes is counted as failed.
 */
final class SoakChecks {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();

    private final SoakWorkload workload;
    private final SoakReport report;
    private final AvroWireCodec codec;
    private final String bootstrapServers;
    private final Duration settle;
    /** Aggregates served past their reference version, for check 2. */
    private Set<String> servedPast = Set.of();

    SoakChecks(SoakWorkload workload, SoakReport report, AvroWireCodec codec, String bootstrapServers, Duration settle) {
        this.workload = workload;
        this.report = report;
        this.codec = codec;
        this.bootstrapServers = bootstrapServers;
        this.settle = settle;
    }

    /** Checks 1 and 2 (the served half): waits until every aggregate is served as the reference says, or the deadline. */
    void servedStates(List<URI> instances) throws InterruptedException {
        Map<String, String> expected = new TreeMap<>();
        workload.finalStates().forEach((id, state) -> expected.put(id, ServedJson.of(state)));
        Map<String, String> wrong = new TreeMap<>(expected);
        Set<String> foldedPast = new HashSet<>();
        long deadline = System.nanoTime() + settle.toNanos();
        int round = 0;
        while (!wrong.isEmpty() && System.nanoTime() < deadline || round == 0) {
            int i = round++;
            for (String id : List.copyOf(wrong.keySet())) {
                String problem = servedProblem(instances.get(i++ % instances.size()), id, expected.get(id), foldedPast);
                if (problem == null) {
                    wrong.remove(id);
                } else {
                    wrong.put(id, problem);
                }
            }
            if (!wrong.isEmpty()) {
                Thread.sleep(500);
            }
        }
        report.check("HTTP state equals the reference fold", expected.size(), wrong.size(),
            wrong.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList());
        servedPast = foldedPast;
    }

    private String servedProblem(URI instance, String id, String expectedState, Set<String> foldedPast) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(instance.resolve("/aggregates/" + id))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return "HTTP " + response.statusCode() + " from " + instance;
            }
            JsonNode body = JSON.readTree(response.body());
            long version = body.get("version").asLong();
            long reference = workload.versions().get(id);
            if (version > reference) {
                foldedPast.add(id + " served at " + version + " > " + reference);
            }
            if (version != reference) {
                return "version " + version + ", reference " + reference;
            }
            return body.get("state").toString().equals(expectedState) ? null : "state " + body.get("state") + ", reference " + expectedState;
        } catch (Exception e) {
            return e.toString();
        }
    }

    /**
     * Checks 2 (the snapshot half), 3 and 4, from the snapshot topic read committed to its end.
     *
     * @return the snapshots by aggregate, newest first, for the DynamoDB check
     */
    Map<String, List<Snapshot>> snapshots(String topic) throws InterruptedException {
        Deserializer<Snapshot> deserializer = SpecificAvroSerde.forValues(codec, Snapshot.class, false).deserializer();
        Map<String, List<Snapshot>> byVersion = new TreeMap<>();
        long records = readToEnd(topic, record -> {
            Snapshot snapshot = deserializer.deserialize(topic, record.value());
            byVersion.computeIfAbsent(snapshot.getAggregateId() + "@" + snapshot.getVersion(), k -> new ArrayList<>()).add(snapshot);
        });
        System.out.printf("soak: %d snapshot records read committed, %d distinct (aggregate, version)%n", records, byVersion.size());

        List<String> differing = new ArrayList<>();
        List<String> repeated = new ArrayList<>();
        List<String> offReference = new ArrayList<>(servedPast);
        for (var entry : byVersion.entrySet()) {
            Snapshot first = entry.getValue().get(0);
            for (Snapshot other : entry.getValue()) {
                if (!bytes(other.getState()).equals(bytes(first.getState())) || !Objects.equals(other.getChecksum(), first.getChecksum())) {
                    differing.add(entry.getKey() + " x" + entry.getValue().size());
                    break;
                }
            }
            if (entry.getValue().size() > 1) {
                repeated.add(entry.getKey() + " x" + entry.getValue().size());
            }
            SpecificRecord reference = workload.snapshotStates().get(entry.getKey());
            if (reference != null) {
                try {
                    if (!codec.decode(SnapshotFactory.verifiedState(first), stateTypeOf(first)).equals(reference)) {
                        offReference.add(entry.getKey() + ": state off the reference");
                    }
                } catch (RuntimeException e) {
                    offReference.add(entry.getKey() + ": " + e.getMessage());
                }
            }
        }
        report.check("no event folded twice (served version and snapshot states)",
            workload.versions().size() + byVersion.size(), offReference.size(), offReference);
        report.check("no two snapshots of one (aggregateId, version) differ", byVersion.size(), differing.size(), differing);
        report.check("each snapshot committed once (exactly-once)", byVersion.size(), repeated.size(), repeated);

        Set<String> missing = new java.util.TreeSet<>(workload.snapshotStates().keySet());
        missing.removeAll(byVersion.keySet());
        Set<String> unexpected = new java.util.TreeSet<>(byVersion.keySet());
        unexpected.removeAll(workload.snapshotStates().keySet());
        List<String> examples = new ArrayList<>();
        missing.stream().limit(3).forEach(k -> examples.add("missing " + k));
        unexpected.stream().limit(3).forEach(k -> examples.add("unexpected " + k));
        report.check("every count snapshot on the topic, and no other", workload.snapshotStates().size() + unexpected.size(),
            missing.size() + unexpected.size(), examples);

        Map<String, List<Snapshot>> byAggregate = new HashMap<>();
        byVersion.values().forEach(list -> byAggregate.computeIfAbsent(list.get(0).getAggregateId(), k -> new ArrayList<>()).add(list.get(0)));
        byAggregate.values().forEach(list -> list.sort(Comparator.comparingLong(Snapshot::getVersion).reversed()));
        return byAggregate;
    }

    /**
     * Check 5: waits until a scan of the table (keys only) shows every aggregate's newest
     * {@code keep} versions of the topic, or the deadline; then reads every complete snapshot in one
     * scan ({@link DynamoDbSnapshotHistory#forEachSnapshot}, chunks assembled), verifies each as
     * the reader does (checksum and decompression, then decoding with its writer schema) and compares
     * every aggregate's with the topic's newest {@code keep}. One history read per aggregate would
     * be the reader's own path, but it is several queries, and moto takes some 100 ms a query on a
     * busy machine (and more for a whole history); so {@link DynamoDbSnapshotHistory#history} is read for every
     * {@value #HISTORY_SAMPLE_EVERY}th aggregate only, and must agree with the scan.
     */
    void dynamoDb(DynamoDbClient client, String table, DynamoDbSnapshotHistory history, Map<String, List<Snapshot>> topic,
                  int keep) throws InterruptedException {
        Map<String, List<Long>> expected = new TreeMap<>();
        for (String id : workload.versions().keySet()) {
            expected.put(id, topic.getOrDefault(id, List.of()).stream().limit(keep).map(Snapshot::getVersion).toList());
        }
        long deadline = System.nanoTime() + settle.toNanos();
        while (true) {
            Map<String, Set<Long>> stored = storedVersions(client, table);
            long behind = expected.entrySet().stream()
                .filter(e -> !stored.getOrDefault(e.getKey(), Set.of()).containsAll(e.getValue())).count();
            if (behind == 0 || System.nanoTime() > deadline) {
                System.out.printf("soak: DynamoDB scan: %d aggregates short of the topic's newest %d%n", behind, keep);
                break;
            }
            Thread.sleep(2000);
        }

        long scanning = System.nanoTime();
        Map<String, List<Snapshot>> stored = new HashMap<>();
        List<String> corrupt = new ArrayList<>();
        history.forEachSnapshot(snapshot -> {
            try {
                byte[] state = SnapshotFactory.verifiedState(snapshot);
                codec.decode(state, codec.writerSchemaOf(state));
                stored.computeIfAbsent(snapshot.getAggregateId(), k -> new ArrayList<>()).add(snapshot);
            } catch (RuntimeException e) {
                corrupt.add(snapshot.getAggregateId() + "@" + snapshot.getVersion() + ": " + e.getMessage());
            }
        });
        stored.values().forEach(list -> list.sort(Comparator.comparingLong(Snapshot::getVersion).reversed()));
        System.out.printf("soak: DynamoDB: every snapshot read and verified in one scan in %d ms%n",
            (System.nanoTime() - scanning) / 1_000_000);
        long sampling = System.nanoTime();
        Map<String, String> wrong = new TreeMap<>();
        corrupt.forEach(c -> wrong.put(c.substring(0, c.indexOf('@')), "corrupt " + c));
        List<String> overKeep = new ArrayList<>();
        int sampled = 0;
        for (var entry : expected.entrySet()) {
            String id = entry.getKey();
            List<Snapshot> newestFirst = topic.getOrDefault(id, List.of());
            List<Snapshot> kept = stored.getOrDefault(id, List.of());
            if (kept.size() > keep) {
                overKeep.add(id + " " + kept.stream().map(Snapshot::getVersion).toList());
            }
            String problem = differences(kept.subList(0, Math.min(keep, kept.size())), newestFirst.subList(0,
                Math.min(keep, newestFirst.size())));
            if (problem == null && sampled++ % HISTORY_SAMPLE_EVERY == 0) {
                problem = historyProblem(history, id, newestFirst, keep);
            }
            if (problem != null) {
                wrong.putIfAbsent(id, problem);
            }
        }
        System.out.printf("soak: DynamoDB: %d histories read in %d ms%n", (sampled + HISTORY_SAMPLE_EVERY - 1) / HISTORY_SAMPLE_EVERY,
            (System.nanoTime() - sampling) / 1_000_000);
        report.check("DynamoDB holds the newest " + keep + " of the topic's snapshots, verified", expected.size(),
            wrong.size(), wrong.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList());
        report.check("DynamoDB keeps no more than " + keep + " per aggregate", expected.size(), overKeep.size(), overKeep);
    }

    private static final int HISTORY_SAMPLE_EVERY = 100;

    /** The versions of the snapshot heads in the table (chunks, at negative sort keys, left out), by aggregate. */
    private static Map<String, Set<Long>> storedVersions(DynamoDbClient client, String table) {
        Map<String, Set<Long>> versions = new HashMap<>();
        client.scanPaginator(ScanRequest.builder().tableName(table).consistentRead(true)
                .projectionExpression("#id, #v").expressionAttributeNames(Map.of("#id", "aggregateId", "#v", "version")).build())
            .items().forEach(item -> {
                BigDecimal version = new BigDecimal(item.get("version").n());
                if (version.signum() >= 0) {
                    versions.computeIfAbsent(item.get("aggregateId").s(), k -> new TreeSet<>()).add(version.longValueExact());
                }
            });
        return versions;
    }

    /** Null when {@code stored} is {@code expected}, newest first: same versions, checksums and state bytes. */
    private static String differences(List<Snapshot> stored, List<Snapshot> expected) {
        if (stored.size() != expected.size()) {
            return "versions " + stored.stream().map(Snapshot::getVersion).toList() + ", topic's newest "
                + expected.stream().map(Snapshot::getVersion).toList();
        }
        for (int i = 0; i < expected.size(); i++) {
            Snapshot want = expected.get(i);
            Snapshot got = stored.get(i);
            if (want.getVersion() != got.getVersion() || !Objects.equals(want.getChecksum(), got.getChecksum())
                    || !bytes(want.getState()).equals(bytes(got.getState()))) {
                return "version " + got.getVersion() + " differs from the topic's " + want.getVersion();
            }
        }
        return null;
    }

    private static String historyProblem(DynamoDbSnapshotHistory history, String id, List<Snapshot> newestFirst, int keep) {
        try {
            SnapshotPage page = history.history(id, keep, null);
            if (!page.corrupt().isEmpty()) {
                return "history(): corrupt " + page.corrupt();
            }
            String problem = differences(page.snapshots().stream().map(StoredSnapshot::snapshot).toList(),
                newestFirst.subList(0, Math.min(keep, newestFirst.size())));
            return problem == null ? null : "history(): " + problem;
        } catch (RuntimeException e) {
            return "history(): " + e;
        }
    }

    /** Check 6, from the dead-letter topic read committed to its end. */
    void deadLetters(String topic, String eventsTopic) throws InterruptedException {
        Map<String, SoakWorkload.Input> bad = workload.badLandedAt();
        Map<String, List<String>> reasonsAt = new HashMap<>();
        List<String> otherDeadLetters = new ArrayList<>();
        long deadline = System.nanoTime() + settle.toNanos();
        while (true) {
            reasonsAt.clear();
            otherDeadLetters.clear();
            readToEnd(topic, record -> {
                String source = DeadLetters.header(record.headers(), DeadLetters.SOURCE_TOPIC);
                String at = DeadLetters.header(record.headers(), DeadLetters.SOURCE_PARTITION) + "@"
                    + DeadLetters.header(record.headers(), DeadLetters.SOURCE_OFFSET);
                String reason = DeadLetters.header(record.headers(), DeadLetters.REASON);
                if (eventsTopic.equals(source) && bad.containsKey(at)) {
                    reasonsAt.computeIfAbsent(at, k -> new ArrayList<>()).add(reason);
                } else {
                    otherDeadLetters.add(source + "-" + at + " " + reason + ": "
                        + DeadLetters.header(record.headers(), DeadLetters.ERROR));
                }
            });
            if (reasonsAt.keySet().containsAll(bad.keySet()) || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(1000);
        }
        List<String> wrong = new ArrayList<>();
        for (var entry : new TreeMap<>(bad).entrySet()) {
            List<String> reasons = reasonsAt.getOrDefault(entry.getKey(), List.of());
            String expected = entry.getValue().expected().name();
            if (!reasons.equals(List.of(expected))) {
                wrong.add(entry.getValue().kind() + " at " + entry.getKey() + ": dead letters " + reasons + ", expected [" + expected + "]");
            }
        }
        report.check("every bad record dead-lettered, once, with its reason", workload.badRecords(), wrong.size()
            + (workload.badRecords() - bad.size()), wrong);
        report.check("no good event or snapshot dead-lettered", workload.goodEvents(), otherDeadLetters.size(), otherDeadLetters);
    }

    /** Reads {@code topic} read committed from the beginning to the end offsets taken now; returns the records read. */
    private long readToEnd(String topic, Consumer<ConsumerRecord<byte[], byte[]>> each) throws InterruptedException {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long read = 0;
            long deadline = System.nanoTime() + settle.toNanos();
            while (!partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("Timed out reading " + topic + " to " + end);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    each.accept(record);
                    read++;
                }
            }
            return read;
        }
    }

    private static ByteBuffer bytes(ByteBuffer buffer) {
        return buffer.duplicate();
    }

    private static Class<? extends SpecificRecord> stateTypeOf(Snapshot snapshot) {
        return snapshot.getAggregateType().equals(InventoryItemFold.AGGREGATE_TYPE)
            ? new InventoryItemFold().stateType() : new WarehouseFold().stateType();
    }
}
