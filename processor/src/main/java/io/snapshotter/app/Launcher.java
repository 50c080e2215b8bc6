package io.snapshotter.app;

import io.snapshotter.config.ConfigSources;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.embedded.EmbeddedDemo;
import io.snapshotter.embedded.SampleProducer;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.registry.SchemaRegistries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * Command line: {@code snapshot-processor [run] [--config FILE] [--embedded [--seconds N]
 * [--events-per-second R]]}, or {@code snapshot-processor produce-samples [--config FILE]
 * [--events-per-second R] [--seconds N]}.
 *
 * <p>{@code run} (the default) runs the processor against the configured Kafka cluster until it is
 * stopped. {@code --embedded} starts a Kafka broker and a schema registry in this process first and
 * feeds them sample inventory events. Configuration: {@code config/application.properties}, then
 * {@code --config FILE}, then {@code SNAPSHOTTER_*} environment variables.
 * {@code produce-samples} produces the sample inventory stream to the configured cluster and
 * registry (the compose stack's producer). The benchmarks (lookups among them) are in the bench
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

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value\n" + usage());
        }
        return args[i];
    }

    private static String usage() {
        return "usage: snapshot-processor [run] [--config FILE] [--embedded [--seconds N] [--events-per-second R]]\n"
            + "       snapshot-processor produce-samples [--config FILE] [--events-per-second R] [--seconds N]";
    }
}
