package io.snapshotter.demo;

import io.snapshotter.domain.inventory.SampleInventoryStream;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.domain.inventory.SampleInventoryStream.SampleEvent;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.EventEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces the sample inventory stream to the configured event topic at a steady rate, encoded
 * with the configured registry: the embedded mode's feed and the compose stack's
 * {@code produce-samples}.
 */
public final class SampleProducer {

    static final int ITEMS = 40;
    static final int WAREHOUSES = 4;

    private final ProcessorConfig config;
    private final EventEncoder encoder;

    public SampleProducer(ProcessorConfig config, AvroWireCodec codec) {
        this.config = config;
        this.encoder = new EventEncoder(codec, config.eventsTopic(), config.registry().subjectNameStrategy());
    }

    /**
     * Sends events until {@code running} turns false, about {@code eventsPerSecond} a second. With
     * {@code badExamples}, two bad records go first, to show the dead-letter topic: bytes that are no
     * event at all, and an event that skips a sequence.
     */
    public void run(int eventsPerSecond, boolean badExamples, BooleanSupplier running) throws InterruptedException {
        Properties props = config.clientProperties(ProducerConfig.configNames(), "producer.");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        SampleInventoryStream stream = new SampleInventoryStream(42, ITEMS, WAREHOUSES, Instant.now(), 1);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            if (badExamples) {
                producer.send(new ProducerRecord<>(config.eventsTopic(), "item-99999",
                    "not avro".getBytes(StandardCharsets.UTF_8)));
                SampleEvent gap = new SampleInventoryStream(7, 1, 0, Instant.now(), 1).next();
                producer.send(new ProducerRecord<>(config.eventsTopic(), "item-gap", encoder.encode(gap.eventId(),
                    "item-gap", gap.aggregateType(), 5, gap.timestamp(), gap.payload())));
            }
            long started = System.nanoTime();
            long sent = 0;
            while (running.getAsBoolean()) {
                SampleEvent event = stream.next();
                producer.send(new ProducerRecord<>(config.eventsTopic(), null, event.timestamp().toEpochMilli(),
                    event.aggregateId(), encoder.encode(event.eventId(), event.aggregateId(), event.aggregateType(),
                    event.sequence(), event.timestamp(), event.payload())));
                sent++;
                long aheadNanos = sent * 1_000_000_000L / eventsPerSecond - (System.nanoTime() - started);
                if (aheadNanos > 1_000_000) {
                    Thread.sleep(aheadNanos / 1_000_000);
                }
            }
        }
    }
}
