package io.snapshotter.replay;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Progress of the fold phase of a replay: events replayed (read again and folded, or skipped where
 * a seed holds them) out of the total, the rate, and the time left, as a line on the terminal
 * (rewritten in place on a console, one line per report otherwise) and as gauges: {@code snapshotter_replay_events}, {@code snapshotter_replay_events_done},
 * {@code snapshotter_replay_events_per_second}, {@code snapshotter_replay_seconds_remaining}.
 */
final class ReplayProgress {

    private final PrintWriter out;
    private final boolean inPlace;
    private final long total;
    private final long startedAt = System.nanoTime();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong rate = new AtomicLong();
    private final AtomicLong remainingSeconds = new AtomicLong(-1);
    private long lastDone;
    private long lastAt = startedAt;

    ReplayProgress(PrintWriter out, boolean inPlace, long total, MeterRegistry meters) {
        this.out = out;
        this.inPlace = inPlace;
        this.total = total;
        Gauge.builder("snapshotter.replay.events", () -> total)
            .description("Events the running replay re-folds").register(meters);
        Gauge.builder("snapshotter.replay.events.done", done::get)
            .description("Events the running replay has read again and committed (folded, or skipped where a seed holds them)").register(meters);
        Gauge.builder("snapshotter.replay.events.per.second", rate::get)
            .description("Re-fold rate over the last report interval").register(meters);
        Gauge.builder("snapshotter.replay.seconds.remaining", remainingSeconds::get)
            .description("Estimated time left, -1 while unknown").register(meters);
    }

    /** Records that {@code eventsDone} events are folded and committed, and reports. */
    void update(long eventsDone) {
        long now = System.nanoTime();
        double seconds = (now - lastAt) / 1e9;
        if (seconds > 0) {
            rate.set(Math.round((eventsDone - lastDone) / seconds));
        }
        double overall = eventsDone / Math.max((now - startedAt) / 1e9, 1e-9);
        remainingSeconds.set(overall > 0 ? Math.round((total - eventsDone) / overall) : -1);
        done.set(eventsDone);
        lastDone = eventsDone;
        lastAt = now;
        String line = line();
        if (inPlace) {
            out.print("\r" + line);
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Ends the progress line with the totals. */
    void finish() {
        double seconds = (System.nanoTime() - startedAt) / 1e9;
        if (inPlace) {
            out.println();
        }
        out.printf("replay: %,d events replayed in %.1f s (%,.0f events/s)%n", done.get(), seconds,
            done.get() / Math.max(seconds, 1e-9));
    }

    long done() {
        return done.get();
    }

    String line() {
        long d = done.get();
        long left = remainingSeconds.get();
        return String.format("replay: %,d / %,d events (%.1f%%)  %,d events/s  %s left", d, total,
            total == 0 ? 100.0 : 100.0 * d / total, rate.get(), left < 0 ? "?" : format(Duration.ofSeconds(left)));
    }

    private static String format(Duration d) {
        return d.toHours() > 0 ? String.format("%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart())
            : String.format("%d:%02d", d.toMinutesPart(), d.toSecondsPart());
    }
}
