package io.snapshotter.tests.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link ChaosSoak} in its short form by default (about four minutes here: 2 instances, 2,000
 * aggregates, 5 SIGKILLs, a broker restart, a 20 s DynamoDB outage with a rebalance while the
 * writer backs off, a registry restart), any form through {@code soak.*} system properties (see
 * README, "Chaos soak"). Prints the table of faults and checks, then asserts that every fault was
 * injected as planned and every check passed. Part of {@code mvn -B verify} in its short form.
 */
class ChaosSoakTest {

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void shouldKeepEveryCheckThroughProcessorKillsBrokerRestartsADynamoDbOutageWithARebalanceAndARegistryRestart()
            throws Exception {
        ChaosSoak.Plan plan = ChaosSoak.Plan.fromSystemProperties();
        System.out.println("soak plan: " + plan);
        SoakReport report = new ChaosSoak(plan, dir).run();
        System.out.println(report.table());
        assertThat(report.failures()).as("faults short of the plan and failed checks").isEmpty();
    }
}
