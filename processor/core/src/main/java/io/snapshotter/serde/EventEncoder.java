package io.snapshotter.serde;

import io.snapshotter.registry.SubjectNameStrategy;
import io.snapshotter.schema.EventEnvelope;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes domain events the way the processor reads them: the payload in the Confluent wire
 * format under its record-name subject, wrapped in an {@link EventEnvelope} written under the
 * events topic's subject. For producers written in Java, the embedded mode and tests.
 */
public final class EventEncoder {

    private final AvroWireCodec codec;
    private final String envelopeSubject;

    public EventEncoder(AvroWireCodec codec, String eventsTopic, SubjectNameStrategy subjects) {
        this.codec = codec;
        this.envelopeSubject = subjects.subject(eventsTopic, false, EventEnvelope.getClassSchema());
    }

    public EventEncoder(AvroWireCodec codec, String eventsTopic) {
        this(codec, eventsTopic, SubjectNameStrategy.TOPIC_NAME);
    }

    /** The envelope of one event, ready to produce with key {@code aggregateId}. */
    public EventEnvelope envelope(String eventId, String aggregateId, String aggregateType, long sequence,
                                  Instant timestamp, SpecificRecord payload) {
        byte[] encodedPayload = codec.encode(payload.getSchema().getFullName(), payload, true);
        return new EventEnvelope(eventId, aggregateId, aggregateType, sequence, timestamp, ByteBuffer.wrap(encodedPayload));
    }

    /** The record value of {@code envelope}. */
    public byte[] encode(EventEnvelope envelope) {
        return codec.encode(envelopeSubject, envelope, true);
    }

    /** The record value of one event. */
    public byte[] encode(String eventId, String aggregateId, String aggregateType, long sequence, Instant timestamp,
                         SpecificRecord payload) {
        return encode(envelope(eventId, aggregateId, aggregateType, sequence, timestamp, payload));
    }
}
