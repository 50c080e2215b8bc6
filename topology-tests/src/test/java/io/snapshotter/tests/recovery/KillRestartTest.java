package io.snapshotter.tests.recovery;

import static io.snapshotter.tests.recovery.ProcessorKillTest.millisSince;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a {@code SIGKILL} costs under exactly-once: the processor (a process of its own) folds a store
 * of aggregates, is killed while events arrive (a transaction open) and is started again on the same
 * state directory; the test reads from the restart's log how many changelog records Kafka Streams
 * restored and whether it found tasks corrupted, and prints the time from the kill to {@code /ready}.
 *
 * <p>The store's size is {@code -Drecovery.aggregates} (5,000 unless given; the README's figures were
 * taken with more). The ways compared:
 * <ul>
 *   <li>the shipped configuration, transactional state stores (KIP-892) and a static member: the
 *       restart keeps its RocksDB store, restores only the changelog after its last commit and takes
 *       the dead member's place at once;</li>
 *   <li>before, {@code kafka.enable.transactional.statestores=false} and dynamic membership: the restart
 *       finds its tasks corrupted, wipes the store and restores the whole changelog, and gets its
 *       partitions once the dead member's session has expired (lowered to 10 s here, 45 s by default);</li>
 *   <li>{@code kafka.group.instance.id} set, the default 45 s session: the restarted instance takes
 *       the dead member's place in the group instead of joining beside it and waiting.</li>
 * </ul>
 */
@ExtendWith(BrokerAndRegistry.Shared.class)
class KillRestartTest {

    private static final int AGGREGATES = Integer.getInteger("recovery.aggregates", 5_000);
    /**
     * The store of the tail test: RocksDB writes a memtable to disk once it is full (1 MiB here, the
     * least {@code rocksdb.memtable.bytes} allows), and the tail is what was in memtables at the kill;
     * 30,000 aggregates fill each partition's several times. A larger store given by
     * {@code -Drecovery.aggregates} keeps the shipped 16 MiB.
     */
    private static final int TAIL_AGGREGATES = Math.max(AGGREGATES, 30_000);
    /** Events arriving while the processor is killed, and after it. */
    private static final int ARRIVING = 4_000;
    /** Of those, produced before the kill: over a second at 2,000/s, so a commit of them precedes the kill. */
    private static final int ARRIVED_AT_KILL = 2_500;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    /**
     * The shipped configuration: RocksDB's writes are held in a transaction buffer until Kafka commits
     * (KIP-892, {@code enable.transactional.statestores}), so what is on disk after a SIGKILL is the
     * last commit, with its changelog offset beside it. The restart keeps its store and restores only
     * the changelog written after that offset.
     */
    @Test
    void shouldKeepTheLocalStoreAndRestoreOnlyTheChangelogsTail(BrokerAndRegistry stack) throws Exception {
        // a store of the size of a real one (-Drecovery.aggregates) is measured with the shipped memtables
        Map<String, String> settings = new java.util.HashMap<>(Map.of("kafka.group.instance.id", "kill-tail"));
        if (TAIL_AGGREGATES <= 100_000) {
            settings.put("rocksdb.memtable.bytes", String.valueOf(1 << 20));
        }
        Restart restart = killAndRestart(stack, "kill-tail", TAIL_AGGREGATES, settings, "session.timeout.ms");
        assertThat(restart.wipedLines()).as("log lines of tasks wiped and bootstrapped from scratch").isEmpty();
        assertThat(restart.resumedFrom()).as("aggregates changelog offsets the restart's store was opened at, "
            + "per partition").hasSize(RecoveryScenario.PARTITIONS);
        assertThat(restart.restoredAggregates()).as("aggregates changelog records restored, for a store of %d aggregates",
                restart.aggregates())
            .isLessThan(restart.aggregates() / 2);
    }

    /** Before: without transactional stores, exactly-once must assume uncommitted writes on disk. */
    @Test
    void shouldWipeAndRestoreTheWholeStoreWithoutTransactionalStores(BrokerAndRegistry stack) throws Exception {
        Restart restart = killAndRestart(stack, "kill-wipe", AGGREGATES, Map.of("kafka.enable.transactional.statestores", "false"),
            null);
        assertThat(restart.wipedLines()).as("log lines of tasks wiped and bootstrapped from scratch").isNotEmpty();
        assertThat(restart.restoredAggregates()).as("aggregates changelog records restored: at least one per aggregate "
                + "in the store at the kill")
            .isGreaterThanOrEqualTo(restart.aggregatesAtKill());
    }

    /** Static membership with the default 45 s session. */
    @Test
    void shouldTakeTheDeadMembersPlaceAtOnceWithAStaticMember(BrokerAndRegistry stack) throws Exception {
        Restart restart = killAndRestart(stack, "kill-static", AGGREGATES, Map.of("kafka.group.instance.id", "processor-0"),
            "session.timeout.ms");
        assertThat(restart.membersWhenReady()).as("the group's members once the restarted instance is ready: "
            + "it took the dead member's place (one stream thread: instance id + \"-1\")").containsExactly("processor-0-1");
    }

    private Restart killAndRestart(BrokerAndRegistry stack, String name, int aggregates, Map<String, String> settings,
            String unset) throws Exception {
        long start = System.nanoTime();
        int beforeKill = 2 * aggregates;  // about two events per aggregate, so that nearly all exist
        try (RecoveryScenario scenario = new RecoveryScenario(name, stack.kafka().bootstrapServers(),
                 stack.registry().url(), 53, aggregates - aggregates / 100, aggregates / 100, beforeKill + ARRIVING)) {
            Map<String, String> config = new java.util.HashMap<>(scenario.processorConfig(dir.resolve("state")));
            config.putAll(settings);
            if (unset != null) {
                config.remove("kafka." + unset);
            }
            try (ProcessorProcess processor = ProcessorProcess.start(dir.resolve("processor"), "processor", config)) {
                long folding = System.nanoTime();
                scenario.produce(0, beforeKill);
                scenario.awaitFoldedAndCommitted();
                long changelogAtKill = scenario.committedEndOffsets(scenario.aggregatesChangelog());
                System.out.printf("%s: %d events folded into the store and committed in %d ms (aggregates changelog: "
                        + "%d offsets)%n", name, beforeKill, millisSince(folding), changelogAtKill);

                AtomicInteger produced = new AtomicInteger();
                CompletableFuture<Void> arriving = scenario.produceArriving(beforeKill, beforeKill + ARRIVING, produced);
                while (produced.get() < ARRIVED_AT_KILL) {
                    Thread.onSpinWait();
                }
                processor.kill();
                long killed = System.nanoTime();
                assertThat(arriving).as("events still arriving when the processor is killed").isNotDone();
                int mark = processor.logLines();

                processor.restart();
                long readyMs = millisSince(killed);
                List<String> members = scenario.groupMembers();
                arriving.join();
                scenario.awaitFoldedAndCommitted();
                if (aggregates <= 50_000) {
                    scenario.assertServedStates(processor.httpAddress());  // every aggregate, state and version
                } else {
                    scenario.assertSampleServed(processor.httpAddress(), Math.max(500, aggregates / 200));
                }
                scenario.assertNoDeadLetters();  // nothing rejected: no event of the store missed

                long restoredAggregates = processor.recordsRestored(scenario.aggregatesChangelog(), mark);
                long restoredAll = processor.recordsRestored("", mark);
                long changelog = scenario.committedEndOffsets(scenario.aggregatesChangelog());
                List<String> corrupted = processor.linesContaining("orrupt", mark);
                // the stream thread's handling of a TaskCorruptedException: close dirty, wipe, restore all
                List<String> wiped = processor.linesContaining("bootstrap from scratch", mark);
                Map<String, Long> resumedFrom = resumedFrom(processor, scenario.aggregatesChangelog(), mark);
                int atKill = scenario.aggregatesCreatedBy(beforeKill);
                System.out.printf("%s: %s%n  store of %d aggregates, %d at the kill (aggregates changelog: %d offsets, records and markers); "
                        + "SIGKILL with %d events arriving; restart-to-ready %d ms (the JVM's start to ready %d ms); "
                        + "records restored: %d of the aggregates changelog, %d over all changelogs; "
                        + "log lines of corrupted tasks: %d, of tasks wiped: %d; aggregates store opened at changelog "
                        + "offsets %s; group members when ready: %s; %d ms in all%n",
                    name, settings, scenario.aggregateCount(), atKill, changelog, produced.get(), readyMs, processor.readyMillis(),
                    restoredAggregates, restoredAll, corrupted.size(), wiped.size(), resumedFrom, members, millisSince(start));
                return new Restart(scenario.aggregateCount(), atKill, restoredAggregates,
                    wiped, resumedFrom, members);
            }
        }
    }

    /**
     * Per partition of {@code changelog}, the offset the restarted instance's store was opened at: the
     * one RocksDB committed with the data it kept (Kafka Streams logs it as initialised from checkpoint).
     */
    private static Map<String, Long> resumedFrom(ProcessorProcess processor, String changelog, int mark)
            throws java.io.IOException {
        Map<String, Long> offsets = new java.util.TreeMap<>();
        for (String line : processor.linesContaining("initialized from checkpoint with offset", mark)) {
            Matcher m = CHECKPOINT.matcher(line);
            if (m.find() && m.group(2).startsWith(changelog)) {
                offsets.put(m.group(2), Long.parseLong(m.group(1)));  // the stream thread's, after the startup pass's
            }
        }
        return offsets;
    }

    private static final Pattern CHECKPOINT = Pattern.compile("initialized from checkpoint with offset (\\d+) at changelog (\\S+)");

    private record Restart(int aggregates, int aggregatesAtKill, long restoredAggregates, List<String> wipedLines,
                           Map<String, Long> resumedFrom, List<String> membersWhenReady) { }
}
