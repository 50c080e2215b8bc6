package io.snapshotter.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ReplayProgressTest {

    @Test
    void shouldServeTheProgressAsGaugesNoneOfThemNamedLikeACounter() {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        StringWriter out = new StringWriter();
        ReplayProgress progress = new ReplayProgress(new PrintWriter(out), false, 1_000, meters);

        progress.update(250);
        String scrape = meters.scrape();

        assertThat(scrape).contains("# TYPE snapshotter_replay_events gauge\n")
            .contains("\nsnapshotter_replay_events 1000.0\n")
            .contains("\nsnapshotter_replay_events_done 250.0\n")
            .doesNotContainPattern("# TYPE \\S+_total gauge");
        assertThat(out.toString()).contains("250 / 1,000 events (25.0%)");
    }
}
