package io.snapshotter.cli;

import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.deadletters.DeadLetterFilter;
import io.snapshotter.deadletters.DeadLetterListing;
import io.snapshotter.deadletters.DeadLetterLog;
import io.snapshotter.deadletters.Redrive;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dead-letters list|redrive [--config FILE] [--aggregate ID] [--reason R]... [--since INSTANT]
 * [--until INSTANT] [--limit N]}: the picocli surface of {@link io.snapshotter.deadletters}.
 */
@Command(name = "dead-letters", mixinStandardHelpOptions = true, versionProvider = Launcher.Version.class,
    description = "Lists the dead-letter topic's records or re-drives them to the events topic.",
    subcommands = {DeadLettersCommand.ListCommand.class, DeadLettersCommand.RedriveCommand.class})
final class DeadLettersCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: list or redrive");
    }

    /** The selection both commands take. */
    static final class Selection {

        @Option(names = "--aggregate", paramLabel = "ID", description = "Only this aggregateId (the record key).")
        String aggregateId;

        @Option(names = "--reason", paramLabel = "REASON", converter = ReasonConverter.class,
            description = "Only this dlq.reason; repeat for any of several.")
        List<DeadLetterReason> reasons = List.of();

        @Option(names = "--since", paramLabel = "INSTANT", description = "Only those rejected at or after INSTANT.")
        Instant since;

        @Option(names = "--until", paramLabel = "INSTANT", description = "Only those rejected before INSTANT.")
        Instant until;

        @Option(names = "--limit", paramLabel = "N", description = "At most N (the summary still counts all).")
        Long limit;

        @Spec(Spec.Target.MIXEE)
        CommandSpec mixee;

        DeadLetterFilter filter() {
            if (since != null && until != null && !since.isBefore(until)) {
                throw new CommandLine.ParameterException(mixee.commandLine(), "--since must be before --until");
            }
            Set<DeadLetterReason> chosen = reasons.isEmpty() ? Set.of() : EnumSet.copyOf(reasons);
            return new DeadLetterFilter(Optional.ofNullable(aggregateId), chosen, Optional.ofNullable(since),
                Optional.ofNullable(until));
        }

        long limit() {
            if (limit != null && limit < 1) {
                throw new CommandLine.ParameterException(mixee.commandLine(), "--limit must be at least 1");
            }
            return limit == null ? Long.MAX_VALUE : limit;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, versionProvider = Launcher.Version.class,
        description = {"Prints the dead letters, oldest first in each partition of the dead-letter topic, "
            + "then how many by reason.",
            "Reads the topic up to its end when the command starts; commits nothing."})
    static final class ListCommand implements Callable<Integer> {

        @CommandLine.Mixin
        Launcher.ConfigOption config = new Launcher.ConfigOption();

        @CommandLine.Mixin
        Selection selection = new Selection();

        @Option(names = "--json", description = "One JSON object per line, then one {\"summary\": ...}.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            DeadLetterFilter filter = selection.filter();
            long limit = selection.limit();
            ProcessorConfig processor = new ProcessorConfig(config.load());
            new DeadLetterListing(spec.commandLine().getOut(), json).print(new DeadLetterLog(processor).read(filter), limit);
            return Launcher.OK;
        }
    }

    @Command(name = "redrive", mixinStandardHelpOptions = true, versionProvider = Launcher.Version.class,
        description = {"Sends the selected dead letters back to the events topic in source order (partition, "
            + "offset): original key, value and headers, dlq.* headers removed, dlq.redriven.from added.",
            "Skips those not rejected from the events topic (the DynamoDB relay's, the snapshot requests'). "
            + "Running it twice is harmless: the fold skips events it already has."})
    static final class RedriveCommand implements Callable<Integer> {

        @CommandLine.Mixin
        Launcher.ConfigOption config = new Launcher.ConfigOption();

        @CommandLine.Mixin
        Selection selection = new Selection();

        @Option(names = "--dry-run", description = "Print what would be sent and send nothing.")
        boolean dryRun;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            DeadLetterFilter filter = selection.filter();
            long limit = selection.limit();
            ProcessorConfig processor = new ProcessorConfig(config.load());
            Redrive redrive = new Redrive(processor, spec.commandLine().getOut());
            redrive.run(redrive.plan(new DeadLetterLog(processor).read(filter).matched(), limit), dryRun);
            return Launcher.OK;
        }
    }

    static final class ReasonConverter implements CommandLine.ITypeConverter<DeadLetterReason> {
        @Override
        public DeadLetterReason convert(String value) {
            try {
                return DeadLetterReason.valueOf(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a dead-letter reason: "
                    + Arrays.stream(DeadLetterReason.values()).map(Enum::name).collect(Collectors.joining(", ")));
            }
        }
    }
}
