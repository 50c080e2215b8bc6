package io.snapshotter.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapshotter.cli.Launcher;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The demo's command line builds (no clashing options) and lists its own and the production commands. */
class DemoLauncherTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int launch(String... args) {
        CommandLine line = DemoLauncher.commandLine();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        return line.execute(args);
    }

    @Test
    void helpListsTheDemoAndTheProductionCommands() {
        assertThat(launch("--help")).isEqualTo(Launcher.OK);
        assertThat(out.toString()).contains("snapshot-processor-demo", "--seconds=N", "--events-per-second=R",
            "--embedded", "--config=FILE", "embedded ", "produce-samples ", "run ", "replay ");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void theProductionReplayKeepsItsOptions() {
        assertThat(launch("replay", "--help")).isEqualTo(Launcher.OK);
        assertThat(out.toString()).contains("snapshot-processor-demo replay", "--from=INSTANT", "--seed-from=SOURCE",
            "--dry-run");
    }

    @Test
    void aBadOptionIsOneLine() {
        assertThat(launch("embedded", "--seconds", "soon")).isEqualTo(Launcher.USAGE);
        assertThat(err.toString().lines().toList()).hasSize(2).last()
            .isEqualTo("Try 'snapshot-processor-demo embedded --help'.");
    }
}
