package io.snapshotter.cli;

import io.snapshotter.app.ProcessorApp;
import io.snapshotter.config.ConfigSources;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.registry.SchemaRegistries;
import io.snapshotter.replay.Replay;
import io.snapshotter.replay.ReplayOptions;
import io.snapshotter.replay.ReplayRefusedException;
import io.snapshotter.topology.FoldRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The command line of the production artifact: {@code snapshot-processor [run] [--config FILE]} and
 * {@code snapshot-processor replay [--config FILE] [--from INSTANT] [--seed-from auto|topic|dynamodb]
 * [--dry-run]}, each with {@code --help}; {@code --version}.
 *
 * <p>Exit codes: {@value #OK} done; {@value #USAGE} a bad option or configuration (one line naming it);
 * {@value #REFUSED} replay refused (instances still running); {@value #FAILED} anything else. The
 * embedded demo is a jar of its own ({@code processor/demo}): this one carries no broker.
 */
@Command(name = "snapshot-processor", mixinStandardHelpOptions = true, versionProvider = Launcher.Version.class,
    description = "Folds an event topic into aggregate state and snapshots (Kafka Streams).",
    subcommands = {Launcher.Run.class, Launcher.ReplayCommand.class, DeadLettersCommand.class,
        CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "1:failed", "2:bad option or configuration (the message names it)",
        "3:replay refused: instances of the application are still running"})
public final class Launcher implements Callable<Integer> {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int REFUSED = 3;

    /** Read from the working directory when it is there, over the defaults inside the jar. */
    public static final Path DEFAULTS_FILE = Path.of("config", "application.properties");
    /** Used instead of the jar's logging configuration when it is in the working directory. */
    public static final Path LOGGING_FILE = Path.of("config", "log4j2.properties");
    /** The shipped {@code config/log4j2.properties}, as the build puts it into the jar. */
    static final String BUILT_IN_LOGGING = "/io/snapshotter/defaults/log4j2.properties";
    /**
     * The logging configuration's switches and their values: environment variables, or system
     * properties of the name in lower case with dots ({@code -Dlog.format=json}), which win.
     */
    static final Map<String, List<String>> LOGGING_SWITCHES = Map.of("LOG_FORMAT", List.of("text", "json"),
        "AUDIT_LOG", List.of("file", "stdout"));

    /**
     * {@code --config FILE}, shared by the commands. A command given no {@code --config} of its own
     * takes its parent's: {@code --config FILE run} is {@code run --config FILE}.
     */
    public static final class ConfigOption {
        @Option(names = "--config", paramLabel = "FILE",
            description = "Properties over config/application.properties (environment SNAPSHOTTER_* over both).")
        Path file;

        /** The command this option is mixed into, for its parents' {@code --config}. */
        @Spec(Spec.Target.MIXEE)
        CommandSpec mixee;

        /** The merged configuration: defaults file, this file, then {@code SNAPSHOTTER_*} variables. */
        public ConfigSources.Loaded load() throws IOException {
            Path chosen = file();
            if (chosen != null && !Files.isRegularFile(chosen)) {
                throw new ConfigException("--config " + chosen + ": no such file");
            }
            return ConfigSources.load(ConfigSources.builtInDefaults(), DEFAULTS_FILE, chosen, System.getenv());
        }

        /** This command's {@code --config}, else the nearest parent command's; null if none was given. */
        Path file() {
            if (file != null) {
                return file;
            }
            for (CommandSpec parent = mixee == null ? null : mixee.parent(); parent != null; parent = parent.parent()) {
                ConfigOption option = of(parent);
                if (option != null && option.file != null) {
                    return option.file;
                }
            }
            return null;
        }

        /** The {@code ConfigOption} mixed into {@code command}, directly or through another mixin. */
        private static ConfigOption of(CommandSpec command) {
            for (CommandSpec mixin : command.mixins().values()) {
                if (mixin.userObject() instanceof ConfigOption option) {
                    return option;
                }
                ConfigOption nested = of(mixin);
                if (nested != null) {
                    return nested;
                }
            }
            return null;
        }
    }

    @CommandLine.Mixin
    ConfigOption config = new ConfigOption();

    public static void main(String[] args) {
        System.exit(execute(() -> commandLine(new Launcher()), args));
    }

    /**
     * Runs a command line once logging is set up ({@link #useShippedLogging}); a logging switch with
     * a value the configuration does not know is a one-line error (exit code {@value #USAGE}).
     *
     * @param loggingOverlays resources merged over the logging configuration (the demo's quieter levels)
     */
    public static int execute(Supplier<CommandLine> line, String[] args, String... loggingOverlays) {
        try {
            useShippedLogging(System.getenv(), loggingOverlays);
        } catch (ConfigException e) {
            System.err.println("Configuration error: " + e.getMessage());
            return USAGE;
        }
        return line.get().execute(args);
    }

    /**
     * Points log4j at its configuration before anything logs: {@code -Dlog4j2.configurationFile}
     * when given; else {@code config/log4j2.properties} of the working directory, or the jar's own;
     * each with {@code overlays} merged over it (Log4j's composite configuration).
     *
     * @throws ConfigException when a switch of {@link #LOGGING_SWITCHES} has another value
     */
    static void useShippedLogging(Map<String, String> env, String... overlays) {
        LOGGING_SWITCHES.forEach((name, values) -> {
            String property = name.toLowerCase(Locale.ROOT).replace('_', '.');
            String value = System.getProperty(property, env.get(name));
            if (value != null && !values.contains(value)) {
                throw new ConfigException("Logging switch " + name + " (or -D" + property + ") is '" + value
                    + "', none of " + values);
            }
        });
        if (System.getProperty("log4j2.configurationFile") != null) {
            return;
        }
        List<String> files = new ArrayList<>();
        files.add(Files.isRegularFile(LOGGING_FILE) ? LOGGING_FILE.toAbsolutePath().toUri().toString()
            : Launcher.class.getResource(BUILT_IN_LOGGING).toString());
        for (String overlay : overlays) {
            files.add(Launcher.class.getResource(overlay).toString());
        }
        System.setProperty("log4j2.configurationFile", String.join(",", files));
    }

    /** The configured {@link CommandLine}: one-line errors for bad options and configuration. */
    public static CommandLine commandLine(Object command) {
        CommandLine line = new CommandLine(command);
        line.registerConverter(Instant.class, Launcher::instant);
        line.setParameterExceptionHandler((e, args) -> {
            CommandLine failed = e.getCommandLine();
            PrintWriter err = failed.getErr();
            err.println(e.getMessage());
            if (List.of(args).contains("--embedded") && !failed.getCommandSpec().optionsMap().containsKey("--embedded")) {
                err.println("The embedded demo is a jar of its own: java -jar processor/demo/target/"
                    + "snapshot-processor-demo.jar --embedded");
            }
            err.println("Try '" + failed.getCommandSpec().qualifiedName() + " --help'.");
            return USAGE;
        });
        line.setExecutionExceptionHandler((e, failed, parsed) -> {
            if (e instanceof ConfigException) {
                failed.getErr().println("Configuration error: " + e.getMessage());
                return USAGE;
            }
            if (e instanceof ReplayRefusedException) {
                failed.getErr().println(e.getMessage());
                return REFUSED;
            }
            throw e;
        });
        line.setExitCodeExceptionMapper(e -> FAILED);
        return line;
    }

    private static Instant instant(String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new CommandLine.TypeConversionException(
                "'" + value + "' is not an ISO-8601 instant, e.g. 2026-11-01T00:00:00Z");
        }
    }

    /**
     * The configuration of a deployment (run, replay): besides what every configuration needs, a
     * schema registry other processes share, never the in-memory {@code mock://} one.
     */
    public static ProcessorConfig deploymentConfig(ConfigSources.Loaded values) {
        ProcessorConfig config = new ProcessorConfig(values);
        config.registry().requireShared();
        return config;
    }

    @Spec
    CommandSpec spec;

    /** Without a command: {@code run}. */
    @Override
    public Integer call() throws Exception {
        return Run.runProcessor(config.load(), spec.commandLine().getErr());
    }

    @Command(name = "run", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Runs the processor against the configured Kafka cluster until it is stopped (the default).")
    static final class Run implements Callable<Integer> {

        @CommandLine.Mixin
        ConfigOption config = new ConfigOption();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            return runProcessor(config.load(), spec.commandLine().getErr());
        }

        static int runProcessor(ConfigSources.Loaded values, PrintWriter err) {
            ProcessorConfig config = deploymentConfig(values);
            try (ProcessorApp app = ProcessorApp.start(config, SchemaRegistries.fromConfig(config.registry()))) {
                Thread main = Thread.currentThread();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    main.interrupt();
                    app.close();
                }));
                if (app.awaitStop() == KafkaStreams.State.ERROR) {
                    err.println("The processor failed: Kafka Streams stopped in state ERROR (the log says why)");
                    return FAILED;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return OK;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Resets the stopped application the way Kafka's application reset tool does, folds its "
            + "events again and exits once it has caught up.",
            "Refuses (exit 3) while instances of the application are members of its consumer group."})
    static final class ReplayCommand implements Callable<Integer> {

        @CommandLine.Mixin
        ConfigOption config = new ConfigOption();

        @Option(names = "--from", paramLabel = "INSTANT",
            description = "Seed each aggregate with its newest snapshot whose events all happened at or before "
                + "INSTANT (ISO-8601, e.g. 2026-11-01T00:00:00Z) and fold only the events after it.")
        Instant from;

        @Option(names = "--seed-from", paramLabel = "SOURCE", defaultValue = "auto",
            converter = SeedSourceConverter.class,
            description = "Where --from reads seeds: auto (DynamoDB when enabled, else the topic), topic or dynamodb.")
        ReplayOptions.SeedSource seedSource;

        @Option(names = "--dry-run",
            description = "Print what would be reset (offsets, internal topics, local state, seeds) and change nothing.")
        boolean dryRun;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ProcessorConfig processor = deploymentConfig(config.load());
            PrintWriter out = spec.commandLine().getOut();
            new Replay(processor, SchemaRegistries.fromConfig(processor.registry()), FoldRegistry.fromClassPath(),
                out, System.console() != null)
                .run(new ReplayOptions(Optional.ofNullable(from), seedSource, Duration.ofSeconds(1), dryRun));
            out.flush();
            return OK;
        }
    }

    static final class SeedSourceConverter implements CommandLine.ITypeConverter<ReplayOptions.SeedSource> {
        @Override
        public ReplayOptions.SeedSource convert(String value) {
            return switch (value) {
                case "auto" -> ReplayOptions.SeedSource.AUTO;
                case "topic" -> ReplayOptions.SeedSource.TOPIC;
                case "dynamodb" -> ReplayOptions.SeedSource.DYNAMODB;
                default -> throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a seed source: auto, topic or dynamodb");
            };
        }
    }

    /** The project's version, from the build ({@code snapshotter-version.properties}). */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties build = resource(Launcher.class, "/snapshotter-version.properties");
            // written by Kafka's build into the kafka-streams jar
            Properties streams = resource(org.apache.kafka.streams.KafkaStreams.class, "/kafka/kafka-streams-version.properties");
            return new String[] {"snapshot processor " + build.getProperty("version", "unknown")
                + " (Kafka Streams " + streams.getProperty("version", "unknown")
                + ", Java " + System.getProperty("java.version") + ")"};
        }

        /** The properties file {@code path} on {@code owner}'s class path, or none when it is missing. */
        private static Properties resource(Class<?> owner, String path) throws IOException {
            Properties properties = new Properties();
            try (InputStream in = owner.getResourceAsStream(path)) {
                if (in != null) {
                    properties.load(in);
                }
            }
            return properties;
        }
    }
}
