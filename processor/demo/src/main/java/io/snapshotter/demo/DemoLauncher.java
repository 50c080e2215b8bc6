package io.snapshotter.demo;

import io.snapshotter.cli.Launcher;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.registry.SchemaRegistries;
import io.snapshotter.serde.AvroWireCodec;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The demo's command line: {@code snapshot-processor-demo [embedded] [--seconds N] [--events-per-second R]}
 * (the default; {@code --embedded} is accepted too), {@code produce-samples} (the compose stack's
 * sample producer), and the production commands {@code run} and {@code replay}, with the inventory
 * sample on the class path. Exit codes as {@link Launcher}'s.
 */
@Command(name = "snapshot-processor-demo", mixinStandardHelpOptions = true, versionProvider = Launcher.Version.class,
    description = "The snapshot processor with the inventory sample: an embedded demo, a sample producer, and the "
        + "processor's own commands.",
    subcommands = {DemoLauncher.Embedded.class, DemoLauncher.ProduceSamples.class, CommandLine.HelpCommand.class})
public final class DemoLauncher implements Callable<Integer> {

    @Option(names = "--embedded", description = "Run the embedded demo (the default anyway).")
    boolean embedded;

    @CommandLine.Mixin
    Embedded demo = new Embedded();

    /** Merged over the processor's logging: the broker in this JVM and Kafka's own chatter kept quiet. */
    static final String DEMO_LOGGING = "/io/snapshotter/demo/log4j2-demo.properties";

    public static void main(String[] args) {
        System.exit(Launcher.execute(DemoLauncher::commandLine, args, DEMO_LOGGING));
    }

    /** The demo's configured {@link CommandLine}, with the production commands {@code run} and {@code replay}. */
    static CommandLine commandLine() {
        CommandLine line = Launcher.commandLine(new DemoLauncher());
        // the production commands, folding whatever is on this class path (the inventory sample too)
        CommandLine production = Launcher.commandLine(new Launcher());
        production.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                line.addSubcommand(name, sub);
            }
        });
        return line;
    }

    @Override
    public Integer call() throws Exception {
        return demo.call();
    }

    /** Options shared by the demo and the sample producer. */
    static class Rate {
        @Option(names = "--seconds", paramLabel = "N", description = "Stop after N seconds (default: run until Ctrl-C).")
        Long seconds;

        @Option(names = "--events-per-second", paramLabel = "R", defaultValue = "200",
            description = "Sample events produced per second (default: ${DEFAULT-VALUE}).")
        int eventsPerSecond;

        Duration duration() {
            return seconds == null ? null : Duration.ofSeconds(seconds);
        }
    }

    @Command(name = "embedded", mixinStandardHelpOptions = true, versionProvider = Launcher.Version.class,
        description = "Starts a Kafka broker (KRaft) and an in-memory schema registry in this JVM, feeds them the "
            + "sample inventory stream, and prints dead letters, snapshots and folded state as they happen.")
    static final class Embedded extends Rate implements Callable<Integer> {

        @CommandLine.Mixin
        Launcher.ConfigOption config = new Launcher.ConfigOption();

        @Override
        public Integer call() throws Exception {
            new EmbeddedDemo(System.out).run(config.load(), duration(), eventsPerSecond);
            return Launcher.OK;
        }
    }

    @Command(name = "produce-samples", mixinStandardHelpOptions = true, versionProvider = Launcher.Version.class,
        description = "Produces the sample inventory stream to the configured cluster and registry.")
    static final class ProduceSamples extends Rate implements Callable<Integer> {

        @CommandLine.Mixin
        Launcher.ConfigOption config = new Launcher.ConfigOption();

        @Override
        public Integer call() throws Exception {
            ProcessorConfig processor = Launcher.deploymentConfig(config.load());
            long end = seconds == null ? Long.MAX_VALUE : System.nanoTime() + duration().toNanos();
            new SampleProducer(processor, new AvroWireCodec(SchemaRegistries.fromConfig(processor.registry())))
                .run(eventsPerSecond, false, () -> System.nanoTime() < end);
            return Launcher.OK;
        }
    }
}
