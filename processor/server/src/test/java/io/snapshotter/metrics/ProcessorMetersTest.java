package io.snapshotter.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process's own meters, besides Kafka's and the processor's: what an operator's JVM dashboard reads. */
class ProcessorMetersTest {

    @TempDir
    Path stateDir;

    @Test
    void shouldServeJvmInfoFileDescriptorsGcAndTheStateDirectorysDisk() throws Exception {
        PrometheusMeterRegistry meters = ProcessorMeters.newRegistry("meters-test");

        try (AutoCloseable process = ProcessorMeters.bindProcess(meters, stateDir)) {
            String scrape = meters.scrape();

            assertThat(scrape)
                .contains("jvm_info{application=\"meters-test\",runtime=")
                .containsPattern("\nprocess_files_open_files\\{application=\"meters-test\"} [1-9]")
                .contains("\nprocess_files_max_files{")
                .contains("\njvm_gc_memory_allocated_bytes_total{")
                .contains("\ndisk_free_bytes{application=\"meters-test\",path=\"" + stateDir.toAbsolutePath() + "\"}")
                .contains("\ndisk_total_bytes{");
        }
    }
}
