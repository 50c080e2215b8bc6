package io.snapshotter.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The problem types are published: a client matches on them, so none may change its URI or status. */
class ProblemTest {

    @Test
    void shouldKeepEveryPublishedTypeWithItsStatus() {
        assertThat(Arrays.stream(Problem.values()).map(p -> p.status() + " " + p.type()))
            .containsExactly(
                "400 https://snapshotter.io/problems/invalid-aggregate-id",
                "400 https://snapshotter.io/problems/invalid-parameter",
                "400 https://snapshotter.io/problems/invalid-body",
                "401 https://snapshotter.io/problems/admin-token-missing",
                "403 https://snapshotter.io/problems/admin-token-wrong",
                "404 https://snapshotter.io/problems/admin-off",
                "404 https://snapshotter.io/problems/aggregate-not-found",
                "404 https://snapshotter.io/problems/snapshot-not-found",
                "404 https://snapshotter.io/problems/endpoint-not-found",
                "405 https://snapshotter.io/problems/method-not-allowed",
                "409 https://snapshotter.io/problems/nothing-to-snapshot",
                "409 https://snapshotter.io/problems/sweep-running",
                "413 https://snapshotter.io/problems/body-too-large",
                "500 https://snapshotter.io/problems/internal-error",
                "500 https://snapshotter.io/problems/corrupt-snapshot",
                "503 https://snapshotter.io/problems/store-not-ready",
                "503 https://snapshotter.io/problems/instance-unavailable",
                "503 https://snapshotter.io/problems/snapshot-store-off",
                "503 https://snapshotter.io/problems/snapshot-store-failed",
                "503 https://snapshotter.io/problems/snapshot-request-failed",
                "503 https://snapshotter.io/problems/overloaded");
    }
}
