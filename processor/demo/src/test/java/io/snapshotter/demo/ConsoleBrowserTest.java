package io.snapshotter.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.snapshotter.domain.inventory.SampleInventoryStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console in a real browser: the embedded demo on a free port, and
 * {@code src/test/browser/console-check.mjs} driving Debian's Chromium through it with
 * playwright-core (the page loads without console errors, the fold-rate chart moves, a lookup shows a
 * known aggregate's state and snapshots, an unknown id is not found, an admin action without the
 * token is refused). The screenshot it takes is kept, once every check passed, in
 * {@code target/console.png}, or in {@code -Dconsole.screenshot=PATH} (the README's {@code docs/console.png}).
 *
 * <p>It needs {@value #CHROMIUM}, {@code node} and the script's packages ({@code npm ci} in
 * {@code src/test/browser}), which {@code .ci/run} installs. Without them it is skipped, except on CI
 * ({@code CI=true}), where it fails.
 */
class ConsoleBrowserTest {

    static final String CHROMIUM = "/usr/bin/chromium";
    static final Path SCRIPT_DIR = Path.of("src/test/browser");
    static final String TOKEN = "console-test-token";
    static final Duration NODE_TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    Path stateDir;

    @Test
    void shouldPassEveryCheckOfTheConsoleInChromium() throws Exception {
        requireBrowser();
        Path screenshot = stateDir.resolve("console.png");
        Path output = stateDir.resolve("console-check.out");
        String known = SampleInventoryStream.itemId(0);

        RunningDemo demo = RunningDemo.start(stateDir.resolve("state"), 5, Map.of("http.admin.token", TOKEN));
        int exitCode;
        try (demo) {
            // the lookup shows snapshots once the relay has copied one into the demo's store
            assertThat(demo.awaitJson("/aggregates/" + known + "/snapshots", json -> json.path("snapshots").size() > 0,
                Duration.ofSeconds(60))).as("a snapshot of %s in the demo's history", known).isNotNull();
            Process node = new ProcessBuilder("node", "console-check.mjs", demo.api().toString(), TOKEN, known,
                    "item-never-folded", screenshot.toString())
                .directory(SCRIPT_DIR.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
            if (!node.waitFor(NODE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                node.destroyForcibly().waitFor();
                fail("console-check.mjs did not finish within %s:%n%s", NODE_TIMEOUT, Files.readString(output));
            }
            exitCode = node.exitValue();
        }
        String checks = Files.readString(output);
        System.out.println(checks);

        assertThat(demo.failure()).isNull();
        assertThat(exitCode).as(checks).isZero();
        assertThat(checks).contains("browser: 7 passed, 0 failed").doesNotContain("not ok");
        assertThat(Files.readAllBytes(screenshot)).as("a PNG at %s", screenshot).startsWith(0x89, 'P', 'N', 'G');
        Path keep = Path.of(System.getProperty("console.screenshot", "target/console.png"));
        Files.copy(screenshot, keep, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Skips without the browser, node or the script's packages; on CI, fails instead. */
    private static void requireBrowser() {
        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(Path.of(CHROMIUM))) {
            missing.add(CHROMIUM + " (apt-get install chromium)");
        }
        if (!onPath("node")) {
            missing.add("node");
        }
        if (!Files.isDirectory(SCRIPT_DIR.resolve("node_modules/playwright-core"))) {
            missing.add("playwright-core (npm ci in processor/demo/" + SCRIPT_DIR + ")");
        }
        String why = "the browser test needs " + String.join(", ", missing);
        if (!missing.isEmpty() && "true".equals(System.getenv("CI"))) {
            fail(why);
        }
        Assumptions.assumeTrue(missing.isEmpty(), why);
    }

    private static boolean onPath(String command) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
            .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, command)));
    }
}
