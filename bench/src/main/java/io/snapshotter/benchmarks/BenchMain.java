package io.snapshotter.benchmarks;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Command line of the benchmarks: {@code java -jar bench/target/snapshot-bench.jar <name> [options]}.
 * Each benchmark runs on real components (an in-JVM KRaft broker, RocksDB) and prints its figures;
 * {@code jmh} runs the JMH microbenchmarks with JMH's own options.
 */
public final class BenchMain {

    /** One benchmark of the command line. */
    interface Benchmark {
        void run(String[] args) throws Exception;
    }

    private BenchMain() {
    }

    /**
     * The class path with absolute entries, so child JVMs started from it (the broker process, which
     * runs in its data directory, the processor of the memory benchmark) find the jars wherever they run.
     */
    private static void absoluteClassPath() {
        String[] entries = System.getProperty("java.class.path").split(java.io.File.pathSeparator);
        System.setProperty("java.class.path", Arrays.stream(entries)
            .map(e -> e.isEmpty() ? e : java.nio.file.Path.of(e).toAbsolutePath().toString())
            .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator)));
    }

    static Map<String, Benchmark> benchmarks() {
        Map<String, Benchmark> all = new LinkedHashMap<>();
        all.put("throughput", ThroughputBenchmark::main);
        all.put("lookups", LookupBenchmark::main);
        all.put("jmh", JmhBenchmarks::run);
        all.put("punctuation", PunctuationBenchmark::run);
        all.put("memory", MemoryBenchmark::run);
        all.put("recovery", RecoveryBenchmark::main);
        return all;
    }

    public static void main(String[] args) throws Exception {
        absoluteClassPath();
        Map<String, Benchmark> all = benchmarks();
        if (args.length == 0 || !all.containsKey(args[0])) {
            System.err.println("usage: snapshot-bench <" + String.join("|", all.keySet()) + "> [options]");
            System.exit(2);
        }
        try {
            all.get(args[0]).run(Arrays.copyOfRange(args, 1, args.length));
        } catch (Options.Usage e) {
            System.err.println(args[0] + " " + e.getMessage());
            System.exit(2);
        }
    }
}
