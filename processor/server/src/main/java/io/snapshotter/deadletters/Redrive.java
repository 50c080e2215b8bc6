package io.snapshotter.deadletters;

import io.snapshotter.config.ProcessorConfig;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends dead letters back to the events topic once the fold or the data is fixed: the original key,
 * value, timestamp and headers, to the partition they were read from, in source order. A parked
 * aggregate's rejected event therefore folds before the events parked behind it. Re-driving twice is
 * harmless: the fold skips an event whose sequence it already has with the same eventId.
 *
 * <p>Only dead letters the fold rejected from the configured events topic are re-driven; those of the
 * DynamoDB relay (source: the snapshots topic) or of the snapshot requests topic are skipped.
 */
public final class Redrive {

    /** Where a re-driven record was in the dead-letter topic: {@code <topic>/<partition>/<offset>}. */
    public static final String REDRIVEN_FROM = "dlq.redriven.from";
    /** The prefix of every dead-letter header; all are dropped before a record is re-driven. */
    public static final String HEADER_PREFIX = "dlq.";

    private static final Comparator<DeadLetter> SOURCE_ORDER = Comparator.comparingInt(DeadLetter::sourcePartition)
        .thenComparingLong(DeadLetter::sourceOffset)
        .thenComparingInt(DeadLetter::partition)
        .thenComparingLong(DeadLetter::offset);

    private final ProcessorConfig config;
    private final PrintWriter out;

    public Redrive(ProcessorConfig config, PrintWriter out) {
        this.config = config;
        this.out = out;
    }

    /**
     * What a re-drive sends, in order, and what it skips.
     *
     * @param skipped how many were skipped, by source topic ({@code ?} when the source is unknown)
     */
    public record Plan(List<DeadLetter> toSend, Map<String, Integer> skipped) {
        public int skippedTotal() {
            return skipped.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** The dead letters from the events topic in (source partition, source offset) order, at most {@code limit}. */
    public Plan plan(List<DeadLetter> selected, long limit) {
        String events = config.eventsTopic();
        Map<String, Integer> skipped = new TreeMap<>();
        List<DeadLetter> fromEvents = new ArrayList<>();
        for (DeadLetter letter : selected) {
            if (events.equals(letter.sourceTopic()) && letter.sourcePartition() >= 0) {
                fromEvents.add(letter);
            } else {
                skipped.merge(letter.sourceTopic() == null ? "?" : letter.sourceTopic(), 1, Integer::sum);
            }
        }
        return new Plan(fromEvents.stream().sorted(SOURCE_ORDER).limit(limit).toList(), skipped);
    }

    /**
     * Sends the plan (or, with {@code dryRun}, only prints it) and reports. Returns once every record
     * is acknowledged by all in-sync replicas.
     *
     * @return how many were sent: 0 on a dry run
     * @throws IllegalStateException if a send failed; the message says how many were sent before
     */
    public int run(Plan plan, boolean dryRun) throws InterruptedException {
        String events = config.eventsTopic();
        if (dryRun) {
            plan.toSend().forEach(letter -> out.printf("would send %s -> %s/%d  %s%n", letter.location(), events,
                letter.sourcePartition(), summary(letter)));
        } else {
            List<RecordMetadata> sent = send(plan.toSend(), events);
            for (int i = 0; i < sent.size(); i++) {
                out.printf("sent %s -> %s/%d@%d  %s%n", plan.toSend().get(i).location(), events,
                    sent.get(i).partition(), sent.get(i).offset(), summary(plan.toSend().get(i)));
            }
        }
        out.printf("redrive: %s %,d to %s%s%n", dryRun ? "dry run, nothing sent; would send" : "sent",
            plan.toSend().size(), events, plan.skippedTotal() == 0 ? "" : String.format(
                "; skipped %,d not from %s, by source topic: %s", plan.skippedTotal(), events, plan.skipped()));
        out.flush();
        return dryRun ? 0 : plan.toSend().size();
    }

    private static String summary(DeadLetter letter) {
        return letter.reason() + "  " + (letter.aggregateId() == null ? "-" : letter.aggregateId()) + "  "
            + letter.valueSize() + " B";
    }

    private List<RecordMetadata> send(List<DeadLetter> letters, String events) throws InterruptedException {
        List<Future<RecordMetadata>> sends = new ArrayList<>(letters.size());
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (DeadLetter letter : letters) {
                sends.add(producer.send(new ProducerRecord<>(events, letter.sourcePartition(), letter.timestamp(),
                    letter.key(), letter.value(), originalHeaders(letter))));
            }
            producer.flush();
        }
        List<RecordMetadata> sent = new ArrayList<>(sends.size());
        for (Future<RecordMetadata> send : sends) {
            try {
                sent.add(send.get());
            } catch (ExecutionException e) {
                throw new IllegalStateException("redrive: sending to " + events + " failed after " + sent.size()
                    + " of " + letters.size() + " were sent (re-driving again is safe): " + e.getCause().getMessage(),
                    e.getCause());
            }
        }
        return sent;
    }

    /** The original headers, without any {@code dlq.*} (an earlier re-drive's included), plus where it came from. */
    static RecordHeaders originalHeaders(DeadLetter letter) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : letter.headers()) {
            if (!header.key().startsWith(HEADER_PREFIX)) {
                headers.add(header);
            }
        }
        headers.add(REDRIVEN_FROM, letter.location().getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties props = config.clientProperties(ProducerConfig.configNames(), "producer.");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, config.applicationId() + "-dead-letters-redrive");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
