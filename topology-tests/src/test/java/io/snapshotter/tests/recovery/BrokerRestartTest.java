package io.snapshotter.tests.recovery;

import static io.snapshotter.tests.recovery.ProcessorKillTest.millisSince;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker (a process of its own, shared with the other recovery tests) is killed with
 * {@code SIGKILL} in the middle of a stream of events and started again on the same port and log
 * directory, while the processor (a separate process, exactly-once on, default Kafka Streams
 * timeouts) keeps running: the same processor process rides out the outage, serves the reference
 * fold of every event, each folded exactly once, and the snapshots topic holds every count snapshot
 * once, with the right state.
 *
 * <p>How it rides it out varies from run to run, and the test prints which: the open transaction
 * committed once the broker is back; or aborted by the restarted transaction coordinator (open
 * longer than {@code transaction.timeout.ms}, 10 s), the producer's next send then failing with
 * {@code InvalidProducerEpochException}, which Kafka Streams handles as a task migration (tasks
 * closed, group rejoined, work redone from the last commit); or, rarely, the stream thread failing
 * and being replaced by the processor's uncaught exception handler.
 */
@ExtendWith(BrokerAndRegistry.Shared.class)
class BrokerRestartTest {

    private static final int EVENTS = 12_000;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void shouldFoldEveryEventOnceAndEmitEachSnapshotOnceAcrossABrokerKillAndRestart(BrokerAndRegistry stack) throws Exception {
        long start = System.nanoTime();
        try (RecoveryScenario scenario = new RecoveryScenario("broker-restart", stack.kafka().bootstrapServers(),
                 stack.registry().url(), 37, 300, 20, EVENTS);
             ProcessorProcess processor = ProcessorProcess.start(dir.resolve("processor"), "processor",
                 scenario.processorConfig(dir.resolve("state")))) {
            System.out.printf("BrokerRestartTest: broker and registry (shared) and processor up in %d ms (processor ready in %d ms)%n",
                millisSince(start), processor.readyMillis());

            AtomicInteger produced = new AtomicInteger();
            CompletableFuture<Void> arriving = scenario.startMidStream(produced);

            stack.kafka().kill();
            long killed = System.nanoTime();
            assertThat(arriving).as("events still arriving when the broker is killed").isNotDone();
            System.out.printf("BrokerRestartTest: broker SIGKILLed with %d of %d events handed to the producer%n",
                RecoveryScenario.BEFORE_CRASH + produced.get(), EVENTS);
            stack.kafka().restart();
            System.out.printf("BrokerRestartTest: broker back %d ms after the kill%n", millisSince(killed));

            arriving.join();
            scenario.produceRest();
            long catchingUp = System.nanoTime();
            scenario.awaitCaughtUp(processor.httpAddress());
            System.out.printf("BrokerRestartTest: all %d aggregates at their last version %d ms after the last events "
                + "(%d ms after the kill)%n", scenario.aggregateCount(), millisSince(catchingUp), millisSince(killed));

            assertThat(processor.isAlive()).as("the processor process survived the broker outage").isTrue();
            scenario.assertServedStates(processor.httpAddress());
            int committed = scenario.assertSnapshots();
            System.out.printf("BrokerRestartTest: snapshot records %d read committed, %d read uncommitted%n",
                committed, scenario.uncommittedRecords(scenario.snapshotsTopic()));
            System.out.printf("BrokerRestartTest: processor log lines %s%n", processor.count("ERROR", "WARN",
                "State transition from RUNNING to", "TimeoutException", "ProducerFenced", "TaskMigrated",
                "TaskCorrupted", "Stream thread failed"));
            processor.linesContaining("State transition from").forEach(line ->
                System.out.println("BrokerRestartTest: processor log: " + line));
            for (String phrase : new String[] {" ERROR ", "Stream thread failed"}) {
                processor.exceptionsAfter(phrase).stream().distinct().forEach(line ->
                    System.out.println("BrokerRestartTest: exception after '" + phrase.strip() + "': " + line));
            }
            processor.warnings().forEach((kind, count) -> System.out.printf("BrokerRestartTest: processor log: %4d x %s%n", count, kind));
            System.out.printf("BrokerRestartTest: %d events, %d aggregates, %d count snapshots; %d ms in all%n",
                EVENTS, scenario.aggregateCount(), scenario.expectedSnapshots(), millisSince(start));
        } finally {
            if (!stack.kafka().isAlive()) {
                stack.kafka().restart();
            }
        }
    }
}
