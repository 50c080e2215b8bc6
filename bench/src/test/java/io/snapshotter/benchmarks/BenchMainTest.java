package io.snapshotter.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The benchmarks' command line, parsed only (nothing runs): defaults, values, errors, JMH's arguments. */
class BenchMainTest {

    @SuppressWarnings("unchecked")
    private static <T> T parse(String... args) {
        CommandLine.ParseResult parsed = BenchMain.commandLine().parseArgs(args);
        return (T) parsed.subcommand().commandSpec().userObject();
    }

    @Test
    void throughputDefaultsAreTheOldOnes() {
        ThroughputBenchmark.Cli cli = parse("throughput");
        assertThat(List.of(cli.events, (long) cli.aggregates, (long) cli.partitions, (long) cli.rounds))
            .containsExactly(2_000_000L, 100_000L, 6L, 3L);
        assertThat(cli.runs).containsExactly("1", "1b", "2", "2b", "3");
        assertThat(cli.overrides).isEmpty();
    }

    @Test
    void valuesWithUnderscoresListsAndRepeatedSettings() {
        ThroughputBenchmark.Cli cli = parse("throughput", "--events", "2_000", "--runs", "1, 3", "--set", "a=b=c",
            "--set", "kafka.x=1", "--rounds", "1", "--rounds", "2");
        assertThat(cli.events).isEqualTo(2000);
        assertThat(cli.runs).containsExactly("1", "3");
        assertThat(cli.overrides).containsExactly(Map.entry("a", "b=c"), Map.entry("kafka.x", "1"));
        assertThat(cli.rounds).isEqualTo(2);
    }

    @Test
    void theOtherBenchmarksKeepTheirDefaults() {
        RecoveryBenchmark.Cli recovery = parse("recovery");
        assertThat(List.of((long) recovery.aggregates, recovery.events, (long) recovery.partitions,
            (long) recovery.every)).containsExactly(20_000L, 1_000_000L, 6L, 25L);
        PunctuationBenchmark.Cli punctuation = parse("punctuation", "--history", "false");
        assertThat(punctuation.stores).containsExactly(10_000, 1_000_000);
        assertThat(punctuation.pending).containsExactly(1000, 10_000);
        assertThat(punctuation.repeat).isEqualTo(3);
        assertThat(punctuation.history).isFalse();
        MemoryBenchmark.Cli memory = parse("memory");
        assertThat(memory.modes).containsExactly("bounded", "defaults");
        assertThat(memory.heap).isEqualTo("1g");
        assertThat(memory.budget).isEqualTo(268_435_456L);
        assertThat(List.of(memory.aggregates, memory.eventsPerAggregate, memory.partitions, memory.threads))
            .containsExactly(5_000_000, 1, 6, 1);
        LookupBenchmark.Cli lookups = parse("lookups", "--idle-only", "--no-wrk");
        assertThat(List.of((long) lookups.aggregates, (long) lookups.events, lookups.seconds,
            (long) lookups.connections)).containsExactly(10_000L, 50_000L, 10L, 16L);
        assertThat(lookups.idleOnly && lookups.noWrk && !lookups.underLoadOnly).isTrue();
    }

    @Test
    void jmhGetsEveryArgumentAsGiven() {
        JmhBenchmarks.Cli jmh = parse("jmh", "-f", "2", "-wi", "1", "-h", "-jvmArgs", "-Xmx1g", "Fold.*");
        assertThat(jmh.args).containsExactly("-f", "2", "-wi", "1", "-h", "-jvmArgs", "-Xmx1g", "Fold.*");
    }

    @Test
    void aWrongOptionIsOneLineAndTheUsageWithExitCode2() {
        CommandLine line = BenchMain.commandLine();
        StringWriter err = new StringWriter();
        line.setErr(new PrintWriter(err, true));
        line.setOut(new PrintWriter(new StringWriter(), true));

        assertThat(line.execute("throughput", "--bogus")).isEqualTo(2);
        List<String> lines = err.toString().lines().toList();
        assertThat(lines.get(0)).isEqualTo("snapshot-bench throughput: Unknown option: '--bogus'");
        assertThat(lines.get(1)).startsWith("Usage: snapshot-bench throughput ");
        assertThat(err.toString()).doesNotContain("Exception");
    }
}
