package io.snapshotter.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.snapshotter.domain.inventory.SampleInventoryStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.HashMap;
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
    void throughputRunsEveryWorkloadAndContenderWithOneAndTwoThreadsByDefault() {
        ThroughputBenchmark.Cli cli = parse("throughput");
        ThroughputBenchmark.Options options = cli.options();
        assertThat(options.workloads()).extracting(EventWorkload::name).containsExactly("uniform", "hot", "zipf");
        assertThat(options.workloads()).extracting(EventWorkload::events, EventWorkload::aggregates,
                EventWorkload::everyEvents)
            .containsExactly(tuple(2_000_000L, 100_000, 10), tuple(2_000_000L, 10_000, 100),
                tuple(2_000_000L, 1_000_000, 100));
        assertThat(options.workloads().get(2).zipfExponent()).isEqualTo(1.1);
        assertThat(options.runs()).containsExactly("0", "1", "1b", "2", "2b", "3");
        assertThat(options.threads()).containsExactly(1, 2);
        assertThat(List.of(options.partitions(), options.rounds())).containsExactly(6, 3);
        assertThat(options.overrides()).isEmpty();
    }

    @Test
    void valuesWithUnderscoresListsAndRepeatedSettings() {
        ThroughputBenchmark.Cli cli = parse("throughput", "--events", "2_000", "--runs", "1, 3", "--set", "a=b=c",
            "--set", "kafka.x=1", "--rounds", "1", "--rounds", "2");
        assertThat(cli.sizing.events).isEqualTo(2000);
        assertThat(cli.runs).containsExactly("1", "3");
        assertThat(cli.overrides).containsExactly(Map.entry("a", "b=c"), Map.entry("kafka.x", "1"));
        assertThat(cli.rounds).isEqualTo(2);
    }

    @Test
    void eventsAndAggregatesOverrideEachChosenWorkload() {
        ThroughputBenchmark.Options options = ((ThroughputBenchmark.Cli) parse("throughput", "--workload", "hot",
            "--workload", "zipf,uniform", "--events", "200_000", "--aggregates", "5000", "--threads", "2")).options();
        assertThat(options.workloads()).extracting(EventWorkload::name, EventWorkload::events,
                EventWorkload::aggregates, EventWorkload::everyEvents)
            .containsExactly(tuple("hot", 200_000L, 5000, 100), tuple("zipf", 200_000L, 5000, 100),
                tuple("uniform", 200_000L, 5000, 10));
        assertThat(options.threads()).containsExactly(2);
    }

    @Test
    void quickIsATenthOfEachWorkloadInOneRound() {
        ThroughputBenchmark.Options quick = ((ThroughputBenchmark.Cli) parse("throughput", "--quick")).options();
        assertThat(quick.workloads()).extracting(EventWorkload::events, EventWorkload::aggregates)
            .containsExactly(tuple(200_000L, 10_000), tuple(200_000L, 1000), tuple(200_000L, 100_000));
        assertThat(quick.rounds()).isEqualTo(1);
        assertThat(((ThroughputBenchmark.Cli) parse("throughput", "--quick", "--rounds", "2")).options().rounds())
            .isEqualTo(2);
    }

    @Test
    void anUnknownWorkloadRunOrThreadCountIsAUsageErrorBeforeAnythingStarts() {
        for (String[] args : List.of(new String[] {"throughput", "--workload", "skewed"},
                new String[] {"throughput", "--runs", "1,4"}, new String[] {"throughput", "--threads", "0"},
                new String[] {"relay", "--workload", "skewed"})) {
            CommandLine line = BenchMain.commandLine();
            StringWriter err = new StringWriter();
            line.setErr(new PrintWriter(err, true));
            line.setOut(new PrintWriter(new StringWriter(), true));
            assertThat(line.execute(args)).as(String.join(" ", args)).isEqualTo(2);
            assertThat(err.toString().lines().findFirst().orElseThrow()).startsWith("snapshot-bench " + args[0] + ": ");
        }
    }

    @Test
    void relayDefaultsToTheUniformWorkloadWithOneStreamThread() {
        RelayBenchmark.Options relay = ((RelayBenchmark.Cli) parse("relay")).options();
        assertThat(relay.workload()).isEqualTo(EventWorkload.named("uniform"));
        assertThat(List.of(relay.partitions(), relay.threads())).containsExactly(6, 1);
        assertThat(relay.catchUpTimeout()).isEqualTo(Duration.ofMinutes(30));
        RelayBenchmark.Options quick = ((RelayBenchmark.Cli) parse("relay", "--quick", "--workload", "zipf",
            "--set", "dynamodb.batch.size=10", "--threads", "2", "--catch-up-timeout", "60")).options();
        assertThat(List.of(quick.workload().events(), (long) quick.workload().aggregates()))
            .containsExactly(200_000L, 100_000L);
        assertThat(quick.overrides()).containsExactly(Map.entry("dynamodb.batch.size", "10"));
        assertThat(quick.threads()).isEqualTo(2);
        assertThat(quick.catchUpTimeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void theZipfWorkloadIsSkewedSeededAndKeepsEachAggregatesSequencesContiguous() {
        EventWorkload zipf = new EventWorkload("zipf", 50_000, 10_000, 1.1, 100);
        Map<String, Long> sequences = new HashMap<>();
        Map<String, Integer> counts = new HashMap<>();
        var stream = zipf.stream(7);
        var again = zipf.stream(7);
        for (int i = 0; i < zipf.events(); i++) {
            var event = stream.get();
            assertThat(again.get()).isEqualTo(event);
            assertThat(event.sequence()).isEqualTo(sequences.merge(event.aggregateId(), 1L, Long::sum));
            counts.merge(event.aggregateId(), 1, Integer::sum);
        }
        // the hottest aggregate (rank 1) gets 1 / H(10,000, 1.1) = 15.1% of the events: 7,572
        assertThat(counts.get(SampleInventoryStream.itemId(0))).isBetween(7_200, 7_950);
        assertThat(counts.size()).isLessThan(zipf.aggregates());
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
