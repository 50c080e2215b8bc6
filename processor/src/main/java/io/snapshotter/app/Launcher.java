package io.snapshotter.app;

import io.snapshotter.config.ConfigSources;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.embedded.EmbeddedDemo;
import io.snapshotter.embedded.SampleProducer;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.registry.SchemaRegistries;
import io.snapshotter.fold.FoldRegistry;
import io.snapshotter.replay.Replay;
import io.snapshotter.replay.ReplayOptions;
import io.snapshotter.replay.ReplayRefusedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;

/**
 * Command line: {@code snapshot-processor [run] [--config FILE] [--embedded [--seconds N]
 * [--events-per-second R]]}, {@code snapshot-processor replay [--config FILE] [--from INSTANT]
 * [--seed-from topic|dynamodb]}, or {@code snapshot-processor produce-samples [--config FILE]
 * [--events-per-second R] [--seconds N]}.
 *
 * <p>{@code run} (the default) runs the processor against the configured Kafka cluster until it is
 * stopped. {@code --embedded} starts a Kafka broker and a schema registry in this process first and
 * feeds them sample inventory events. Configuration: {@code config/application.properties}, then
 * {@code --config FILE}, then {@code SNAPSHOTTER_*} environment variables.
 * {@code produce-samples} produces the sample inventory stream to the configured cluster and
 * registry (the compose stack's producer). {@code replay} resets the stopped application and folds
 * its events again (see {@link Replay}); it exits with 3 when it refuses to run. The benchmarks (lookups among them) are in the bench
 * module: {@code java -jar bench/target/snapshot-bench.jar <name>}.
 */
public final class Launcher {

    static final Path DEFAULTS_FILE = Path.of("config", "application.properties");
    static final Path LOGGING_FILE = Path.of("config", "log4j2.properties");

    private Launcher() {
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("log4j2.configurationFile") == null && Files.isRegularFile(LOGGING_FILE)) {
            System.setProperty("log4j2.configurationFile", LOGGING_FILE.toString());
        }
        try {
            System.exit(run(args));
        } catch (ConfigException e) {
            System.err.println("Configuration error: " + e.getMessage());
            System.exit(2);
        }
    }

    static int run(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("replay")) {
            return replay(args);
        }
        Path configFile = null;
        boolean embedded = false;
        boolean produceSamples = false;
        Duration duration = null;
        int eventsPerSecond = 200;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "run" -> { }
                case "produce-samples" -> produceSamples = true;
                case "--config" -> configFile = Path.of(value(args, ++i, "--config"));
                case "--embedded" -> embedded = true;
                case "--seconds" -> duration = Duration.ofSeconds(Long.parseLong(value(args, ++i, "--seconds")));
                case "--events-per-second" -> eventsPerSecond = Integer.parseInt(value(args, ++i, "--events-per-second"));
                case "-h", "--help" -> {
                    System.out.println(usage());
                    return 0;
                }
                default -> {
                    System.err.println("Unknown argument '" + args[i] + "'\n" + usage());
                    return 2;
                }
            }
        }
        Map<String, String> values = ConfigSources.load(DEFAULTS_FILE, configFile, System.getenv());
        if (embedded) {
            new EmbeddedDemo(System.out).run(values, duration, eventsPerSecond);
            return 0;
        }
        ProcessorConfig config = new ProcessorConfig(values);
        if (produceSamples) {
            long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
            new SampleProducer(config, new AvroWireCodec(SchemaRegistries.fromConfig(config)))
                .run(eventsPerSecond, false, () -> System.nanoTime() < end);
            return 0;
        }
        try (ProcessorApp app = ProcessorApp.start(config, SchemaRegistries.fromConfig(config))) {
            Thread main = Thread.currentThread();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                main.interrupt();
                app.close();
            }));
            app.awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** {@code replay [--config FILE] [--from INSTANT] [--seed-from topic|dynamodb]}: see {@link Replay}. */
    private static int replay(String[] args) throws Exception {
        Path configFile = null;
        Optional<Instant> from = Optional.empty();
        ReplayOptions.SeedSource seedSource = ReplayOptions.SeedSource.AUTO;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> configFile = Path.of(value(args, ++i, "--config"));
                case "--from" -> {
                    String at = value(args, ++i, "--from");
                    try {
                        from = Optional.of(Instant.parse(at));
                    } catch (DateTimeParseException e) {
                        System.err.println("--from '" + at + "' is not an ISO-8601 instant, e.g. 2026-11-01T00:00:00Z");
                        return 2;
                    }
                }
                case "--seed-from" -> {
                    String source = value(args, ++i, "--seed-from");
                    switch (source) {
                        case "topic" -> seedSource = ReplayOptions.SeedSource.TOPIC;
                        case "dynamodb" -> seedSource = ReplayOptions.SeedSource.DYNAMODB;
                        default -> {
                            System.err.println("--seed-from must be topic or dynamodb, not '" + source + "'");
                            return 2;
                        }
                    }
                }
                default -> {
                    System.err.println("Unknown argument '" + args[i] + "'\n" + usage());
                    return 2;
                }
            }
        }
        ProcessorConfig config = new ProcessorConfig(ConfigSources.load(DEFAULTS_FILE, configFile, System.getenv()));
        try {
            new Replay(config, SchemaRegistries.fromConfig(config), FoldRegistry.fromClassPath(), System.out,
                System.console() != null)
                .run(new ReplayOptions(from, seedSource, Duration.ofSeconds(1)));
            return 0;
        } catch (ReplayRefusedException e) {
            System.err.println(e.getMessage());
            return 3;
        }
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value\n" + usage());
        }
        return args[i];
    }

    private static String usage() {
        return "usage: snapshot-processor [run] [--config FILE] [--embedded [--seconds N] [--events-per-second R]]\n"
            + "       snapshot-processor replay [--config FILE] [--from 2026-11-01T00:00:00Z] [--seed-from topic|dynamodb]\n"
            + "       snapshot-processor produce-samples [--config FILE] [--events-per-second R] [--seconds N]";
    }
}
