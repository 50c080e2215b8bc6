package io.snapshotter.tests.recovery;

import static io.snapshotter.tests.recovery.ProcessorKillTest.millisSince;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
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
 * taken with more). The two ways compared:
 * <ul>
 *   <li>dynamic membership: the restart finds its tasks corrupted, wipes the store and restores the
 *       whole changelog, and gets its partitions once the dead member's session has expired (lowered
 *       to 10 s here, 45 s by default);</li>
 *   <li>{@code kafka.group.instance.id} set, the default 45 s session: the restarted instance takes
 *       the dead member's place in the group instead of joining beside it and waiting.</li>
 * </ul>
 */
@ExtendWith(BrokerAndRegistry.Shared.class)
class KillRestartTest {

    private static final int AGGREGATES = Integer.getInteger("recovery.aggregates", 5_000);
    /** Events folded and committed before the kill: about two per aggregate, so that nearly all exist. */
    private static final int BEFORE_KILL = 2 * AGGREGATES;
    /** Events arriving while the processor is killed, and after it. */
    private static final int ARRIVING = 3_000;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void shouldWipeAndRestoreTheWholeStoreUnderExactlyOnce(BrokerAndRegistry stack) throws Exception {
        Restart restart = killAndRestart(stack, "kill-wipe", Map.of(), null);
        assertThat(restart.corruptedLines()).as("log lines of tasks found corrupted").isNotEmpty();
        assertThat(restart.restoredAggregates()).as("aggregates changelog records restored")
            .isGreaterThanOrEqualTo(restart.changelogAtKill());
    }

    /** Static membership with the default 45 s session. */
    @Test
    void shouldTakeTheDeadMembersPlaceAtOnceWithAStaticMember(BrokerAndRegistry stack) throws Exception {
        Restart restart = killAndRestart(stack, "kill-static", Map.of("kafka.group.instance.id", "processor-0"),
            "session.timeout.ms");
        assertThat(restart.membersWhenReady()).as("the group's members once the restarted instance is ready: "
            + "it took the dead member's place (one stream thread: instance id + \"-1\")").containsExactly("processor-0-1");
    }

    private Restart killAndRestart(BrokerAndRegistry stack, String name, Map<String, String> settings, String unset)
            throws Exception {
        long start = System.nanoTime();
        try (RecoveryScenario scenario = new RecoveryScenario(name, stack.kafka().bootstrapServers(),
                 stack.registry().url(), 53, AGGREGATES - AGGREGATES / 100, AGGREGATES / 100, BEFORE_KILL + ARRIVING)) {
            Map<String, String> config = new java.util.HashMap<>(scenario.processorConfig(dir.resolve("state")));
            config.putAll(settings);
            if (unset != null) {
                config.remove("kafka." + unset);
            }
            try (ProcessorProcess processor = ProcessorProcess.start(dir.resolve("processor"), "processor", config)) {
                long folding = System.nanoTime();
                scenario.produce(0, BEFORE_KILL);
                scenario.awaitFoldedAndCommitted();
                int changelogAtKill = scenario.committedRecords(scenario.aggregatesChangelog());
                System.out.printf("%s: %d events folded into the store and committed in %d ms (aggregates changelog: %d records)%n",
                    name, BEFORE_KILL, millisSince(folding), changelogAtKill);

                AtomicInteger produced = new AtomicInteger();
                CompletableFuture<Void> arriving = scenario.produceArriving(BEFORE_KILL, BEFORE_KILL + ARRIVING, produced);
                while (produced.get() < 500) {
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
                scenario.assertSampleServed(processor.httpAddress(), 500);

                long restoredAggregates = processor.recordsRestored(scenario.aggregatesChangelog(), mark);
                long restoredAll = processor.recordsRestored("", mark);
                int changelog = scenario.committedRecords(scenario.aggregatesChangelog());
                List<String> corrupted = processor.linesContaining("orrupt", mark);
                System.out.printf("%s: %s%n  store of %d aggregates (aggregates changelog: %d records read committed); "
                        + "SIGKILL with %d events arriving; restart-to-ready %d ms (the JVM's start to ready %d ms); "
                        + "records restored: %d of the aggregates changelog, %d over all changelogs; "
                        + "log lines of corrupted tasks: %d; group members when ready: %s; %d ms in all%n",
                    name, settings, scenario.aggregateCount(), changelog, produced.get(), readyMs, processor.readyMillis(),
                    restoredAggregates, restoredAll, corrupted.size(), members, millisSince(start));
                return new Restart(changelogAtKill, restoredAggregates, corrupted, members);
            }
        }
    }

    private record Restart(int changelogAtKill, long restoredAggregates, List<String> corruptedLines, List<String> membersWhenReady) { }
}
