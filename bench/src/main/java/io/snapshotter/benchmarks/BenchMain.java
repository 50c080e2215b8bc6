package io.snapshotter.benchmarks;

import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Command line of the benchmarks: {@code java -jar bench/target/snapshot-bench.jar <name> [options]},
 * each benchmark a subcommand with {@code --help}. Each benchmark runs on real components (an in-JVM
 * KRaft broker, RocksDB) and prints its figures; {@code jmh} runs the JMH microbenchmarks with JMH's
 * own options. A wrong option prints one line naming it and the benchmark's usage, and exits 2.
 *
 * <p>As before picocli, numbers may carry underscores ({@code --events 2_000_000}), lists are
 * comma-separated ({@code --runs 1,2}), and a valued option given twice takes the last value (a
 * list option given twice takes both lists).
 */
@Command(name = "snapshot-bench",
    description = "Benchmarks of the snapshot processor on real components; run from the project root.",
    subcommands = {ThroughputBenchmark.Cli.class, LookupBenchmark.Cli.class, JmhBenchmarks.Cli.class,
        PunctuationBenchmark.Cli.class, MemoryBenchmark.Cli.class, RecoveryBenchmark.Cli.class, RelayBenchmark.Cli.class,
        CommandLine.HelpCommand.class})
public final class BenchMain implements Runnable {

    @CommandLine.Mixin
    Help help;

    /** Exit code of a wrong option or a missing benchmark. */
    static final int USAGE = 2;

    /** {@code -h}, {@code --help} of a benchmark. */
    static final class Help {
        @CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;
    }

    @Spec
    CommandSpec spec;

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

    /** The configured command line: numbers with underscores, the last of a repeated option, one-line errors. */
    static CommandLine commandLine() {
        CommandLine line = new CommandLine(new BenchMain());
        line.registerConverter(Integer.class, value -> (int) number(value, Integer.MIN_VALUE, Integer.MAX_VALUE));
        line.registerConverter(int.class, value -> (int) number(value, Integer.MIN_VALUE, Integer.MAX_VALUE));
        line.registerConverter(Long.class, value -> number(value, Long.MIN_VALUE, Long.MAX_VALUE));
        line.registerConverter(long.class, value -> number(value, Long.MIN_VALUE, Long.MAX_VALUE));
        line.setOverwrittenOptionsAllowed(true);
        // jmh hands every argument to JMH, its options too
        line.getSubcommands().get("jmh").setUnmatchedOptionsArePositionalParams(true);
        line.setExpandAtFiles(false);
        line.setParameterExceptionHandler((e, args) -> {
            CommandLine failed = e.getCommandLine();
            PrintWriter err = failed.getErr();
            err.println(failed.getCommandSpec().qualifiedName() + ": " + e.getMessage());
            failed.usage(err);
            return USAGE;
        });
        return line;
    }

    /** A whole number, underscores allowed between its digits. */
    private static long number(String value, long min, long max) {
        try {
            long n = Long.parseLong(value.trim().replace("_", ""));
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a whole number"
                + (max == Integer.MAX_VALUE ? " up to " + Integer.MAX_VALUE : ""));
        }
    }

    public static void main(String[] args) {
        absoluteClassPath();
        System.exit(commandLine().execute(args));
    }

    /** Without a benchmark: the usage. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "which benchmark? one of "
            + String.join(", ", spec.subcommands().keySet().stream().filter(n -> !n.equals("help")).toList()));
    }
}
