package io.snapshotter.serde;

import io.snapshotter.registry.SubjectNameStrategy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** A Kafka serde for one Avro specific record type, in the Confluent wire format. */
public final class SpecificAvroSerde<T extends SpecificRecord> implements Serde<T> {

    private final AvroWireCodec codec;
    private final Class<T> type;
    private final Schema schema;
    private final SubjectNameStrategy subjects;
    private final boolean isKey;
    private final boolean autoRegister;
    /** The subject of each topic written, so a record costs no string building (and its hash). */
    private final Map<String, String> subjectsByTopic = new ConcurrentHashMap<>();

    public SpecificAvroSerde(AvroWireCodec codec, Class<T> type, SubjectNameStrategy subjects,
                             boolean isKey, boolean autoRegister) {
        this.codec = codec;
        this.type = type;
        this.schema = SpecificData.get().getSchema(type);
        this.subjects = subjects;
        this.isKey = isKey;
        this.autoRegister = autoRegister;
    }

    /** A value serde with topic-name subjects. */
    public static <T extends SpecificRecord> SpecificAvroSerde<T> forValues(AvroWireCodec codec, Class<T> type,
                                                                           boolean autoRegister) {
        return new SpecificAvroSerde<>(codec, type, SubjectNameStrategy.TOPIC_NAME, false, autoRegister);
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, data) -> data == null ? null
            : codec.encode(subjectsByTopic.computeIfAbsent(topic, t -> subjects.subject(t, isKey, schema)), data,
                autoRegister);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, data) -> data == null ? null : codec.decode(data, type);
    }
}
