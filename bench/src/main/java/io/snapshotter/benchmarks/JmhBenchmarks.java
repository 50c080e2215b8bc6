package io.snapshotter.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jmh [JMH options] [regexp]}: the microbenchmarks of {@code io.snapshotter.benchmarks.jmh}
 * with JMH's own options, short by default (1 fork, 2 warm-up iterations of 2 s, 3 measured of 3 s,
 * unless {@code -f}, {@code -wi}, {@code -i}, {@code -w} or {@code -r} say otherwise), then one table
 * of events per second per core (every op is one event or one record, on one thread).
 */
final class JmhBenchmarks {

    /**
     * {@code jmh [JMH options] [regexp]}: every argument goes to JMH as given (so {@code -h} is JMH's
     * help); only {@code --help} is this command's.
     */
    @Command(name = "jmh",
        description = {"The JMH microbenchmarks of io.snapshotter.benchmarks.jmh with JMH's own options, short by "
            + "default (-f 1 -wi 2 -i 3 -w 2s -r 3s unless given), then a table of events per second per core.",
            "JMH's options: jmh -h."})
    static final class Cli implements Callable<Integer> {
        @Option(names = "--help", usageHelp = true, description = "Show this help and exit (-h: JMH's).")
        boolean help;

        @Parameters(paramLabel = "JMH-ARGS", description = "JMH options, then a benchmark regexp (default: all).")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            run(args.toArray(String[]::new));
            return 0;
        }
    }

    private JmhBenchmarks() {
    }

    static void run(String[] args) throws Exception {
        List<String> options = new ArrayList<>(Arrays.asList(args));
        defaultTo(options, "-f", "1");
        defaultTo(options, "-wi", "2");
        defaultTo(options, "-i", "3");
        defaultTo(options, "-w", "2s");
        defaultTo(options, "-r", "3s");
        CommandLineOptions parsed = new CommandLineOptions(options.toArray(String[]::new));
        if (parsed.shouldHelp() || parsed.shouldList() || parsed.shouldListProfilers()
                || parsed.shouldListResultFormats() || parsed.shouldListWithParams()) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        if (parsed.getIncludes().isEmpty()) {
            options.add("io\\.snapshotter\\.benchmarks\\.jmh\\..*");
            parsed = new CommandLineOptions(options.toArray(String[]::new));
        }
        Collection<RunResult> results = new Runner(parsed).run();
        print(results);
    }

    private static void defaultTo(List<String> options, String flag, String value) {
        if (!options.contains(flag)) {
            options.add(0, value);
            options.add(0, flag);
        }
    }

    private static void print(Collection<RunResult> results) {
        System.out.println();
        System.out.println("Events (or records) per second on one core; the machine's other builds and the "
            + "JIT make these indicative:");
        System.out.printf("%-58s %14s %12s %10s%n", "benchmark", "ops/s", "± (99.9%)", "µs/op");
        results.stream()
            .sorted((a, b) -> a.getParams().getBenchmark().compareTo(b.getParams().getBenchmark()))
            .forEach(r -> {
                Result<?> primary = r.getPrimaryResult();
                String name = r.getParams().getBenchmark().replace("io.snapshotter.benchmarks.jmh.", "");
                double score = primary.getScore();
                double error = primary.getScoreError();
                System.out.printf("%-58s %,14.0f %,12.0f %10.2f%n", name, score,
                    Double.isNaN(error) ? 0 : error, score > 0 ? 1e6 / score : Double.NaN);
            });
    }
}
