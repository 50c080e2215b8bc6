package io.snapshotter.benchmarks;

import io.snapshotter.domain.inventory.SampleInventoryStream;
import io.snapshotter.domain.inventory.SampleInventoryStream.SampleEvent;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/**
 * A load of sample events for the real-broker benchmarks: how many, over how many aggregates, how
 * each event's aggregate is picked (uniformly, or by a Zipf law of exponent {@code zipfExponent}),
 * and the snapshot interval N ({@code snapshot.every.events}) our processor folds it with. Seeded:
 * the same workload is the same events, run after run. Each aggregate's sequence runs 1, 2, 3 ...
 * whatever the choice of aggregates (the sample stream keeps a counter per aggregate).
 *
 * @param zipfExponent 0 for a uniform choice; else the exponent s: the aggregate of rank k (from 1)
 *                     gets a share proportional to 1 / k^s
 */
record EventWorkload(String name, long events, int aggregates, double zipfExponent, int everyEvents) {

    /** The workloads of {@code throughput} and {@code relay}, each of which takes snapshots. */
    static final List<EventWorkload> ALL = List.of(
        new EventWorkload("uniform", 2_000_000, 100_000, 0, 10),
        new EventWorkload("hot", 2_000_000, 10_000, 0, 100),
        new EventWorkload("zipf", 2_000_000, 1_000_000, 1.1, 100));

    static List<String> names() {
        return ALL.stream().map(EventWorkload::name).toList();
    }

    static EventWorkload named(String name) {
        return ALL.stream().filter(w -> w.name().equals(name)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("unknown workload '" + name + "': one of " + names()));
    }

    /** {@code --events}, {@code --aggregates}, {@code --quick}: the sizes of the workloads a benchmark runs. */
    static final class Sizing {
        /** {@code --quick}: each workload at a tenth of its events and aggregates. */
        static final int QUICK_DIVISOR = 10;

        @Option(names = "--events", paramLabel = "N", description = "Events of each workload, instead of its own "
            + "(2,000,000).")
        Long events;

        @Option(names = "--aggregates", paramLabel = "N", description = "Aggregates of each workload, instead of its own.")
        Integer aggregates;

        @Option(names = "--quick", description = "A smoke run: each workload at a tenth of its events and aggregates, "
            + "the same shape (throughput: one round, unless --rounds says otherwise).")
        boolean quick;

        EventWorkload of(String name) {
            EventWorkload workload = named(name).overriding(events, aggregates);
            return quick ? workload.scaledDown(QUICK_DIVISOR) : workload;
        }
    }

    /** This workload with {@code events} and {@code aggregates} where given (non-null). */
    EventWorkload overriding(Long events, Integer aggregates) {
        return new EventWorkload(name, events == null ? this.events : events,
            aggregates == null ? this.aggregates : aggregates, zipfExponent, everyEvents);
    }

    /** A {@code divisor}-th of the events over a {@code divisor}-th of the aggregates: the same shape, smaller. */
    EventWorkload scaledDown(int divisor) {
        return new EventWorkload(name, Math.max(1, events / divisor), Math.max(1, aggregates / divisor), zipfExponent,
            everyEvents);
    }

    /** The events, seeded by {@code seed}: the sample stream's, each one's aggregate picked as this workload says. */
    Supplier<SampleEvent> stream(long seed) {
        SampleInventoryStream stream = BenchKafka.sampleStream(aggregates, seed);
        if (zipfExponent == 0) {
            return stream::next;
        }
        Zipf zipf = new Zipf(stream.aggregates(), zipfExponent, new Random(seed + 1));
        return () -> stream.next(zipf.next());
    }

    String describe() {
        String choice = zipfExponent == 0
            ? String.format("uniform, %.0f events per aggregate on average", (double) events / aggregates)
            : String.format("Zipf s = %.2f, the hottest aggregate %.1f%% of the events", zipfExponent,
                100 * new Zipf(aggregates, zipfExponent, new Random(0)).share(0));
        return String.format("%s: %,d events over %,d aggregates (%s), N = %d", name, events, aggregates, choice,
            everyEvents);
    }

    /** Ranks 0 .. n-1 drawn by a Zipf law (exactly, by the inverse of its cumulative distribution). */
    static final class Zipf {
        private final double[] cumulative;
        private final Random random;

        Zipf(int n, double exponent, Random random) {
            this.cumulative = new double[n];
            this.random = random;
            double sum = 0;
            for (int k = 0; k < n; k++) {
                sum += 1 / Math.pow(k + 1, exponent);
                cumulative[k] = sum;
            }
            for (int k = 0; k < n; k++) {
                cumulative[k] /= sum;
            }
            cumulative[n - 1] = 1.0;
        }

        /** The share of the events rank {@code k} gets. */
        double share(int k) {
            return cumulative[k] - (k == 0 ? 0 : cumulative[k - 1]);
        }

        int next() {
            double u = random.nextDouble();
            int found = Arrays.binarySearch(cumulative, u);
            // the first rank whose cumulative share exceeds u
            return found >= 0 ? Math.min(found + 1, cumulative.length - 1) : -found - 1;
        }
    }
}
