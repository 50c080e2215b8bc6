package io.snapshotter.app;

import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.fold.AggregateFold;
import io.snapshotter.topology.FoldRegistry;
import java.util.Comparator;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a starting processor loaded, logged once: the folds found on the class path with their
 * snapshot policies, the topics, the registry, whether DynamoDB is on, and the state directory. A deployment that
 * forgot the fold jar or misnamed a topic shows it in the first lines of its log.
 */
final class StartupSummary {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessorApp.class);

    private StartupSummary() {
    }

    static void log(ProcessorConfig config, FoldRegistry folds) {
        LOG.info(describe(config, folds));
        noFoldsWarning(folds).ifPresent(LOG::warn);
    }

    /** The INFO block: one line per fold, then the topics, the registry and DynamoDB. */
    static String describe(ProcessorConfig config, FoldRegistry folds) {
        StringBuilder text = new StringBuilder("Processor '").append(config.applicationId()).append("' loaded ")
            .append(folds.all().size()).append(" fold(s) from the class path");
        folds.all().stream().sorted(Comparator.comparing(f -> f.fold().aggregateType())).forEach(registered -> {
            AggregateFold<?> fold = registered.fold();
            text.append("\n  fold ").append(fold.aggregateType()).append(" v").append(fold.version())
                .append(" (").append(fold.getClass().getName()).append("): state ").append(fold.stateType().getName())
                .append(", events ").append(new TreeSet<>(registered.eventSchemas().keySet()))
                .append("; snapshot policy: ").append(config.topology().policyFor(fold.aggregateType()));
        });
        text.append("\n  topics: events ").append(config.eventsTopic()).append(", snapshots ")
            .append(config.snapshotsTopic()).append(", dead letters ").append(config.deadLetterTopic())
            .append(", snapshot requests ").append(config.snapshotRequestsTopic());
        text.append("\n  schema registry: ").append(config.registry().configuredUrl()
            .orElse("none configured (the caller's in-process registry)"));
        text.append("\n  DynamoDB: ").append(config.dynamoDbEnabled() ? "on, table " + config.dynamoDb().table() : "off");
        // Kafka Streams' default is under the OS temp directory: the one place it must not stay in production
        text.append("\n  state directory: ").append(config.streamsConfig().getString(StreamsConfig.STATE_DIR_CONFIG))
            .append(config.originals().containsKey(ProcessorConfig.KAFKA_PREFIX + StreamsConfig.STATE_DIR_CONFIG) ? ""
                : " (Kafka Streams' default; put kafka.state.dir on a persistent volume)");
        return text.toString();
    }

    /** With no fold at all, every event is a dead letter: say so, and why it usually happens. */
    static Optional<String> noFoldsWarning(FoldRegistry folds) {
        if (!folds.all().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("No fold found on the class path: every event will be dead-lettered as "
            + DeadLetterReason.UNKNOWN_AGGREGATE_TYPE + ". The jar with the folds (listed in META-INF/services/"
            + AggregateFold.class.getName() + ") must be on the class path.");
    }
}
