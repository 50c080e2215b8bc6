package io.snapshotter.registry;

import java.util.Locale;
import org.apache.avro.Schema;

/** How a schema's registry subject is named, as in Confluent's serializers. */
public enum SubjectNameStrategy {
    /** {@code <topic>-key} / {@code <topic>-value}: one record type per topic (the default). */
    TOPIC_NAME {
        @Override
        public String subject(String topic, boolean isKey, Schema schema) {
            return topic + (isKey ? "-key" : "-value");
        }
    },
    /** {@code <record full name>}: the same subject wherever the record is written. */
    RECORD_NAME {
        @Override
        public String subject(String topic, boolean isKey, Schema schema) {
            return schema.getFullName();
        }
    };

    public abstract String subject(String topic, boolean isKey, Schema schema);

    /** Parses the config form: {@code topic-name} or {@code record-name}. */
    public static SubjectNameStrategy fromConfig(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
