package io.snapshotter.tests.deadletters;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.snapshotter.cli.Launcher;
import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.deadletter.DeadLetters;
import io.snapshotter.testkit.EmbeddedKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The {@code dead-letters} command on a real broker, run in this JVM through the production command
 * line: {@code list} filters by aggregate, reason and rejection time and reads committed records
 * only; {@code redrive} sends exactly the selected originals back to the events topic in source
 * order, without their dead-letter headers and with {@code dlq.redriven.from}, skips dead letters of
 * other source topics, and sends nothing on a dry run; an unknown reason is a usage error.
 */
class DeadLettersCommandTest {

    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    private static final String TRACE = "trace";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static EmbeddedKafka kafka;

    @TempDir
    Path dir;

    private String events;
    private String snapshots;
    private String requests;
    private String dlq;
    private Path config;

    /**
     * One dead letter of the fixture: its original was at {@code sourceTopic/sourcePartition@sourceOffset},
     * rejected {@code seconds} after T0, and it sits in dead-letter partition {@code dlqPartition}.
     */
    private record Rejected(String key, DeadLetterReason reason, String sourceTopic, int sourcePartition,
                            long sourceOffset, int seconds, int dlqPartition) {
        byte[] value() {
            return (key + "@" + sourcePartition + "/" + sourceOffset).getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Exit code, standard output and standard error of one run of the command line. */
    private record Run(int exitCode, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @BeforeEach
    void writeDeadLetters() throws Exception {
        String prefix = "dlq-" + System.nanoTime();
        events = prefix + "-events";
        snapshots = prefix + "-snapshots";
        requests = prefix + "-snapshot-requests";
        dlq = prefix + "-dlq";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(events, 3, (short) 1), new NewTopic(dlq, 2, (short) 1))).all().get();
        }
        config = dir.resolve(prefix + ".properties");
        Files.writeString(config, String.join("\n",
            "kafka.bootstrap.servers=" + kafka.bootstrapServers(),
            "kafka.application.id=" + prefix,
            "schema.registry.url=mock://" + prefix,
            "topic.events=" + events,
            "topic.snapshots=" + snapshots,
            "topic.dead.letters=" + dlq,
            "topic.snapshot.requests=" + requests,
            ""), StandardCharsets.UTF_8);
        // written transactionally, as the processor writes them; source order differs from dead-letter order
        try (KafkaProducer<byte[], byte[]> producer = transactionalProducer(prefix)) {
            producer.initTransactions();
            producer.beginTransaction();
            send(producer, new Rejected("item-1", DeadLetterReason.AGGREGATE_PARKED, events, 0, 9, 3, 0));
            send(producer, new Rejected("item-3", DeadLetterReason.SEQUENCE_GAP, events, 2, 1, 5, 1));
            send(producer, new Rejected("item-1", DeadLetterReason.FOLD_FAILED, events, 0, 5, 1, 1));
            send(producer, new Rejected("item-1", DeadLetterReason.AGGREGATE_PARKED, events, 0, 7, 2, 0));
            send(producer, new Rejected("item-2", DeadLetterReason.UNDECODABLE, events, 1, 3, 4, 1));
            send(producer, new Rejected("item-9", DeadLetterReason.SNAPSHOT_TOO_LARGE, snapshots, 0, 4, 6, 0));
            send(producer, new Rejected("item-2", DeadLetterReason.UNDECODABLE, requests, 1, 2, 7, 0));
            producer.commitTransaction();
            producer.beginTransaction();
            send(producer, new Rejected("item-aborted", DeadLetterReason.FOLD_FAILED, events, 0, 11, 8, 0));
            producer.flush(); // on the broker, then aborted: only a read_uncommitted reader sees it
            producer.abortTransaction();
        }
    }

    @Test
    void shouldListEveryCommittedDeadLetterWithASummaryByReason() throws Exception {
        Run run = launch("dead-letters", "list", "--config", config.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(Launcher.OK);
        assertThat(run.lines()).hasSize(8);
        assertThat(run.lines()).contains(
            T0.plusSeconds(1) + "  FOLD_FAILED  item-1  " + events + "/0@5  " + "item-1@0/5".length()
                + " B  rejected item-1@0/5");
        assertThat(run.out()).doesNotContain("item-aborted");
        assertThat(run.lines().get(7)).isEqualTo("7 dead letters matched (of 7 read): AGGREGATE_PARKED 2, "
            + "FOLD_FAILED 1, SEQUENCE_GAP 1, SNAPSHOT_TOO_LARGE 1, UNDECODABLE 2");
    }

    @Test
    void shouldListOnlyTheDeadLettersOfTheGivenAggregate() throws Exception {
        Run run = launch("dead-letters", "list", "--config", config.toString(), "--aggregate", "item-1", "--json");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(Launcher.OK);
        List<JsonNode> letters = letters(run);
        assertThat(letters).extracting(l -> l.get("aggregateId").asText()).containsOnly("item-1").hasSize(3);
        assertThat(letters).extracting(l -> l.get("sourceOffset").asLong()).containsExactlyInAnyOrder(5L, 7L, 9L);
        assertThat(summary(run).get("matched").asInt()).isEqualTo(3);
        assertThat(summary(run).get("read").asInt()).isEqualTo(7);
    }

    @Test
    void shouldListOnlyTheGivenReasons() throws Exception {
        Run run = launch("dead-letters", "list", "--config", config.toString(), "--json",
            "--reason", "AGGREGATE_PARKED", "--reason", "UNDECODABLE");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(Launcher.OK);
        assertThat(letters(run)).extracting(l -> l.get("reason").asText() + " " + l.get("sourceTopic").asText()
                + "/" + l.get("sourcePartition").asInt() + "@" + l.get("sourceOffset").asLong())
            .containsExactlyInAnyOrder("AGGREGATE_PARKED " + events + "/0@7", "AGGREGATE_PARKED " + events + "/0@9",
                "UNDECODABLE " + events + "/1@3", "UNDECODABLE " + requests + "/1@2");
        assertThat(summary(run).get("byReason").toString()).isEqualTo("{\"AGGREGATE_PARKED\":2,\"UNDECODABLE\":2}");
    }

    @Test
    void shouldListOnlyThoseRejectedFromSinceUntilBeforeUntil() throws Exception {
        Run run = launch("dead-letters", "list", "--config", config.toString(), "--json",
            "--since", T0.plusSeconds(2).toString(), "--until", T0.plusSeconds(5).toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(Launcher.OK);
        assertThat(letters(run)).extracting(l -> l.get("rejectedAt").asText()).containsExactlyInAnyOrder(
            T0.plusSeconds(2).toString(), T0.plusSeconds(3).toString(), T0.plusSeconds(4).toString());
    }

    @Test
    void shouldRedriveExactlyTheSelectedOriginalsInSourceOrderWithoutTheirDeadLetterHeaders() throws Exception {
        Run run = launch("dead-letters", "redrive", "--config", config.toString(), "--aggregate", "item-1");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(Launcher.OK);
        assertThat(run.out()).contains("redrive: sent 3 to " + events);
        List<ConsumerRecord<byte[], byte[]>> redriven = records(events);
        assertThat(redriven).extracting(r -> text(r.value()))
            .containsExactly("item-1@0/5", "item-1@0/7", "item-1@0/9");
        assertThat(redriven).allSatisfy(r -> {
            assertThat(r.partition()).as("the partition the original was read from").isZero();
            assertThat(text(r.key())).isEqualTo("item-1");
            assertThat(DeadLetters.header(r.headers(), TRACE)).isEqualTo(text(r.value()));
            assertThat(Arrays.stream(r.headers().toArray()).map(Header::key).filter(k -> k.startsWith("dlq.")))
                .as("one dlq.* header: an earlier re-drive's dlq.redriven.from is replaced, not kept")
                .containsExactly("dlq.redriven.from");
        });
        List<String> origins = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> letter : records(dlq)) {
            if (text(letter.key()).equals("item-1")) {
                origins.add(text(letter.value()) + " " + dlq + "/" + letter.partition() + "/" + letter.offset());
            }
        }
        assertThat(redriven).extracting(r -> text(r.value()) + " " + DeadLetters.header(r.headers(), "dlq.redriven.from"))
            .containsExactlyInAnyOrderElementsOf(origins);
    }

    @Test
    void shouldSkipDeadLettersFromAnotherSourceTopicAndCountThem() throws Exception {
        Run run = launch("dead-letters", "redrive", "--config", config.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(Launcher.OK);
        assertThat(records(events)).extracting(r -> text(r.value()))
            .containsExactlyInAnyOrder("item-1@0/5", "item-1@0/7", "item-1@0/9", "item-2@1/3", "item-3@2/1");
        assertThat(run.lines()).last().isEqualTo("redrive: sent 5 to " + events + "; skipped 2 not from " + events
            + ", by source topic: {" + requests + "=1, " + snapshots + "=1}");
    }

    @Test
    void shouldSendNothingOnADryRun() throws Exception {
        Run run = launch("dead-letters", "redrive", "--config", config.toString(), "--dry-run");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(Launcher.OK);
        assertThat(run.lines()).filteredOn(l -> l.startsWith("would send ")).hasSize(5);
        assertThat(run.lines().get(0)).startsWith("would send " + dlq + "/1/").contains(" -> " + events + "/0  FOLD_FAILED");
        assertThat(run.lines()).last().asString().startsWith("redrive: dry run, nothing sent; would send 5 to " + events);
        assertThat(records(events)).isEmpty();
    }

    @Test
    void shouldRejectAnUnknownReasonAsAUsageErrorNamingTheValidOnes() throws Exception {
        Run list = launch("dead-letters", "list", "--config", config.toString(), "--reason", "NOPE");
        Run redrive = launch("dead-letters", "redrive", "--config", config.toString(), "--reason", "NOPE");

        for (Run run : List.of(list, redrive)) {
            assertThat(run.exitCode()).isEqualTo(Launcher.USAGE);
            assertThat(run.err()).contains("'NOPE' is not a dead-letter reason: " + String.join(", ",
                Arrays.stream(DeadLetterReason.values()).map(Enum::name).toList()));
        }
        assertThat(records(events)).isEmpty();
    }

    private static Run launch(String... args) {
        CommandLine line = Launcher.commandLine(new Launcher());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        int code = line.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static List<JsonNode> letters(Run run) throws Exception {
        List<JsonNode> letters = new ArrayList<>();
        for (String line : run.lines()) {
            JsonNode node = JSON.readTree(line);
            if (!node.has("summary")) {
                letters.add(node);
            }
        }
        return letters;
    }

    private static JsonNode summary(Run run) throws Exception {
        return JSON.readTree(run.lines().get(run.lines().size() - 1)).get("summary");
    }

    /** A dead letter as the fold writes one; the FOLD_FAILED one was re-driven once before. */
    private void send(KafkaProducer<byte[], byte[]> producer, Rejected rejected) {
        Headers original = new RecordHeaders().add(TRACE, rejected.value());
        if (rejected.reason() == DeadLetterReason.FOLD_FAILED) {
            original.add("dlq.redriven.from", (dlq + "/0/999").getBytes(StandardCharsets.UTF_8));
        }
        Headers headers = DeadLetters.withReason(original, rejected.reason(), "rejected " + text(rejected.value()),
            rejected.sourceTopic(), rejected.sourcePartition(), rejected.sourceOffset(),
            T0.plusSeconds(rejected.seconds()).toEpochMilli());
        producer.send(new ProducerRecord<>(dlq, rejected.dlqPartition(), T0.toEpochMilli(),
            rejected.key().getBytes(StandardCharsets.UTF_8), rejected.value(), headers));
    }

    private static KafkaProducer<byte[], byte[]> transactionalProducer(String id) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id + "-dead-letters");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Every committed record of {@code topic}, partition by partition in offset order. */
    private static List<ConsumerRecord<byte[], byte[]>> records(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            records.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
                : Long.compare(a.offset(), b.offset()));
            return records;
        }
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
