package io.snapshotter.metrics;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The processor's metrics: one {@link PrometheusMeterRegistry} per processor, created here and
 * passed to whatever records into it (never a global registry), with the JVM's and the process's
 * meters ({@code jvm_*}, {@code process_*}, {@code system_*}, {@code jvm_info}) and, once bound,
 * every Kafka Streams and client metric ({@code kafka_*}), GC pauses and the state directory's disk
 * ({@code disk_free_bytes}). The processor's own meters share the prefix {@code snapshotter_}.
 */
public final class ProcessorMeters {

    /**
     * How often the Kafka binder looks for new Kafka metrics. Task-level ones appear when tasks are
     * assigned, after the binder's first look.
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
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        return registry;
    }

    /**
     * Binds what a running processor adds until the returned handle is closed: GC pauses, allocation
     * and promotion (Micrometer listens to the JVM's GC notifications until then), and the free and
     * total space of the file system holding {@code stateDirectory}.
     */
    public static AutoCloseable bindProcess(PrometheusMeterRegistry registry, Path stateDirectory) {
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new DiskSpaceMetrics(stateDirectory.toFile()).bindTo(registry);
        return gc;
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
