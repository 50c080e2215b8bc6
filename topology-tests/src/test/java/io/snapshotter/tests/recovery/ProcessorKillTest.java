package io.snapshotter.tests.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor, a separate OS process with exactly-once on, is killed with {@code SIGKILL} in the
 * middle of a stream of events (snapshots already committed, events still arriving, a transaction
 * surely open) and started again on the same state directory: it serves the reference fold of
 * every event, each folded exactly once, and the snapshots topic holds every count snapshot once,
 * with the right state. Real broker (a process of its own), real registry (Apicurio), real RocksDB.
 */
@ExtendWith(BrokerAndRegistry.Shared.class)
class ProcessorKillTest {

    private static final int EVENTS = 12_000;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void shouldFoldEveryEventOnceAndEmitEachSnapshotOnceAfterTheProcessorIsKilledMidStream(BrokerAndRegistry stack) throws Exception {
        long start = System.nanoTime();
        try (RecoveryScenario scenario = new RecoveryScenario("kill", stack.kafka().bootstrapServers(),
                 stack.registry().url(), 31, 300, 20, EVENTS);
             ProcessorProcess processor = ProcessorProcess.start(dir.resolve("processor"), "processor",
                 scenario.processorConfig(dir.resolve("state")))) {
            System.out.printf("ProcessorKillTest: broker and registry (shared) and processor up in %d ms (processor ready in %d ms)%n",
                millisSince(start), processor.readyMillis());

            AtomicInteger produced = new AtomicInteger();
            CompletableFuture<Void> arriving = scenario.startMidStream(produced);

            processor.kill();
            long killed = System.nanoTime();
            assertThat(arriving).as("events still arriving when the processor is killed").isNotDone();
            System.out.printf("ProcessorKillTest: SIGKILL with %d of %d events produced%n", RecoveryScenario.BEFORE_CRASH + produced.get(), EVENTS);

            arriving.join();
            try (var files = Files.list(dir.resolve("state"))) {
                System.out.printf("ProcessorKillTest: state dir after the kill holds %s%n", files.map(Path::getFileName).toList());
            }
            processor.restart();
            System.out.printf("ProcessorKillTest: restarted and ready %d ms after the kill (the JVM's start to ready: %d ms)%n",
                millisSince(killed), processor.readyMillis());
            scenario.produceRest();

            long catchingUp = System.nanoTime();
            scenario.awaitCaughtUp(processor.httpAddress());
            System.out.printf("ProcessorKillTest: all %d aggregates at their last version %d ms after the last events%n",
                scenario.aggregateCount(), millisSince(catchingUp));

            scenario.assertServedStates(processor.httpAddress());
            int committed = scenario.assertSnapshots();
            System.out.printf("ProcessorKillTest: snapshot records %d read committed, %d read uncommitted "
                    + "(the difference: written in transactions the kill left open, then aborted)%n",
                committed, scenario.uncommittedRecords(scenario.snapshotsTopic()));
            System.out.printf("ProcessorKillTest: %d events, %d aggregates, %d count snapshots; %d ms in all%n",
                EVENTS, scenario.aggregateCount(), scenario.expectedSnapshots(), millisSince(start));
        }
    }

    static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
