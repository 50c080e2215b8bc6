package io.snapshotter.tests.recovery;

import static io.snapshotter.tests.recovery.ProcessorKillTest.millisSince;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk lost: after one instance has folded 20,000 events over 2,000 aggregates and stopped, a
 * fresh instance (same application id, a new process) starts on an empty state directory. It
 * rebuilds its RocksDB store from the changelog topic, and serves every aggregate with the state and
 * version the first one had, the reference fold of the events.
 */
@ExtendWith(BrokerAndRegistry.Shared.class)
class EmptyDiskRestoreTest {

    private static final int EVENTS = 20_000;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void shouldRestoreEveryAggregateFromTheChangelogIntoAnEmptyStateDirectory(BrokerAndRegistry stack) throws Exception {
        long start = System.nanoTime();
        try (RecoveryScenario scenario = new RecoveryScenario("restore", stack.kafka().bootstrapServers(),
                 stack.registry().url(), 41, 1_980, 20, EVENTS)) {
            try (ProcessorProcess first = ProcessorProcess.start(dir.resolve("first"), "first",
                    scenario.processorConfig(dir.resolve("state-first")))) {
                System.out.printf("EmptyDiskRestoreTest: broker and registry (shared) and first instance up in %d ms%n", millisSince(start));
                long folding = System.nanoTime();
                scenario.produce(0, EVENTS);
                scenario.awaitCaughtUp(first.httpAddress());
                System.out.printf("EmptyDiskRestoreTest: first instance folded %d events into %d aggregates in %d ms%n",
                    EVENTS, scenario.aggregateCount(), millisSince(folding));
                scenario.assertServedStates(first.httpAddress());
                first.stop();
            }
            int changelogRecords = scenario.committedRecords(scenario.aggregatesChangelog());

            Path emptyStateDir = dir.resolve("state-second");
            assertThat(emptyStateDir).doesNotExist();
            long restoring = System.nanoTime();
            try (ProcessorProcess second = ProcessorProcess.start(dir.resolve("second"), "second",
                    scenario.processorConfig(emptyStateDir))) {
                scenario.awaitCaughtUp(second.httpAddress());
                long restoredMs = millisSince(restoring);
                scenario.assertServedStates(second.httpAddress());

                List<String> restoreLines = second.linesContaining(scenario.aggregatesChangelog()).stream()
                    .filter(line -> line.contains("restoring changelog")).toList();
                restoreLines.forEach(line -> System.out.println("EmptyDiskRestoreTest: " + line));
                System.out.printf("restored %d aggregates (%d changelog records) in %d ms "
                        + "(from the new JVM's start to every aggregate served; ready after %d ms; "
                        + "the restore itself, first to last restore log line: %d ms)%n",
                    scenario.aggregateCount(), changelogRecords, restoredMs, second.readyMillis(), span(restoreLines));
                System.out.printf("EmptyDiskRestoreTest: %d ms in all%n", millisSince(start));
            }
        }
    }

    /** Milliseconds between the first and the last of {@code lines}, by their HH:mm:ss.SSS stamps. */
    private static long span(List<String> lines) {
        List<LocalTime> times = lines.stream().map(line -> LocalTime.parse(line.substring(0, 12))).sorted().toList();
        return times.isEmpty() ? 0 : Duration.between(times.get(0), times.get(times.size() - 1)).toMillis();
    }
}
