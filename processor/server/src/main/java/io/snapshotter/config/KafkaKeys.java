package io.snapshotter.config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The settings Kafka Streams takes (what may follow {@code kafka.}): its own and its clients'
 * names, a client's name under the prefix Kafka Streams routes to that client, and topic configs
 * under {@code topic.}. A name outside these is a typo Kafka would only log and ignore.
 */
final class KafkaKeys {

    /** Kafka Streams' prefixes, each with the names the client (or topic) behind it knows. */
    private static final Map<String, Set<String>> PREFIXED = prefixed();

    /** Every unprefixed name: Kafka Streams', the consumer's, the producer's and the admin client's. */
    private static final Set<String> UNPREFIXED = unprefixed();

    private KafkaKeys() {
    }

    /** Whether {@code name} (a key without {@code kafka.}) is a setting Kafka Streams or its clients know. */
    static boolean isKnown(String name) {
        if (UNPREFIXED.contains(name)) {
            return true;
        }
        if (name.startsWith(StreamsConfig.CLIENT_TAG_PREFIX)) {
            // rack-aware assignment's tags: client.tag.<tag of the operator's choosing>
            return name.length() > StreamsConfig.CLIENT_TAG_PREFIX.length();
        }
        return PREFIXED.entrySet().stream().anyMatch(prefix -> name.startsWith(prefix.getKey())
            && prefix.getValue().contains(name.substring(prefix.getKey().length())));
    }

    /** Every known name, prefixed ones included: the candidates for a typo's nearest match. */
    static Set<String> all() {
        Set<String> all = new HashSet<>(UNPREFIXED);
        PREFIXED.forEach((prefix, names) -> names.forEach(name -> all.add(prefix + name)));
        return all;
    }

    private static Set<String> unprefixed() {
        Set<String> names = new HashSet<>(StreamsConfig.configDef().names());
        names.addAll(ConsumerConfig.configNames());
        names.addAll(ProducerConfig.configNames());
        names.addAll(AdminClientConfig.configNames());
        return Set.copyOf(names);
    }

    private static Map<String, Set<String>> prefixed() {
        Set<String> consumer = ConsumerConfig.configNames();
        return Map.of(StreamsConfig.CONSUMER_PREFIX, consumer, StreamsConfig.MAIN_CONSUMER_PREFIX, consumer,
            StreamsConfig.RESTORE_CONSUMER_PREFIX, consumer, StreamsConfig.GLOBAL_CONSUMER_PREFIX, consumer,
            StreamsConfig.PRODUCER_PREFIX, ProducerConfig.configNames(),
            StreamsConfig.ADMIN_CLIENT_PREFIX, AdminClientConfig.configNames(),
            StreamsConfig.TOPIC_PREFIX, topicConfigNames());
    }

    /** The names {@link TopicConfig} declares ({@code *_CONFIG} constants): Kafka has no list of them. */
    static Set<String> topicConfigNames() {
        Set<String> names = new HashSet<>();
        for (Field field : TopicConfig.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class
                    && field.getName().endsWith("_CONFIG")) {
                try {
                    names.add((String) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("Cannot read TopicConfig." + field.getName(), e);
                }
            }
        }
        return Set.copyOf(names);
    }
}
