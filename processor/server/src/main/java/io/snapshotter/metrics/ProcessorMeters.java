package io.snapshotter.metrics;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The processor's metrics: one {@link PrometheusMeterRegistry} per processor, created here and
 * passed to whatever records into it (never a global registry), with the JVM's meters and, once
 * bound, every Kafka Streams and client metric, including the fold processor's sensors.
 */
public final class ProcessorMeters {

    /**
     * How often the Kafka binder looks for new Kafka metrics. Task-level ones (our fold sensors among
     * them) appear when tasks are assigned, after the binder's first look.
     */
    static final Duration KAFKA_METRICS_REFRESH = Duration.ofSeconds(10);

    private ProcessorMeters() {
    }

    /** A registry for one processor; every meter is tagged {@code application=<applicationId>}. */
    public static PrometheusMeterRegistry newRegistry(String applicationId) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("application", applicationId);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return registry;
    }

    /** Binds every metric of {@code streams} to {@code registry} until the returned handle is closed. */
    public static AutoCloseable bindKafkaStreams(KafkaStreams streams, PrometheusMeterRegistry registry) {
        ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "kafka-metrics-binder");
            thread.setDaemon(true);
            return thread;
        });
        KafkaStreamsMetrics binder = new KafkaStreamsMetrics(streams, Tags.empty(), refresher, KAFKA_METRICS_REFRESH);
        binder.bindTo(registry);
        return () -> {
            binder.close();
            refresher.shutdownNow();
        };
    }
}
