package io.snapshotter.benchmarks;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The command-line options of a benchmark: {@code --name value} options with defaults, {@code --flag}
 * options without a value, and, where the benchmark takes them, repeatable {@code --set key=value}
 * settings of the processor. Unknown names are refused with the usage.
 */
final class Options {

    static final String SET = "set";

    /** Arguments a benchmark does not take: the message is its usage. */
    static final class Usage extends IllegalArgumentException {
        Usage(String message) {
            super(message);
        }
    }

    private final Map<String, String> values = new HashMap<>();
    private final Map<String, String> settings = new LinkedHashMap<>();

    Options(String[] args, Map<String, String> defaults) {
        this(args, defaults, Set.of(), false);
    }

    /**
     * @param defaults every option that takes a value, with its default
     * @param flags    options without a value ({@link #flag} says whether they were given)
     * @param settable whether {@code --set key=value} is accepted ({@link #settings})
     */
    Options(String[] args, Map<String, String> defaults, Set<String> flags, boolean settable) {
        values.putAll(defaults);
        for (int i = 0; i < args.length; i++) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : "";
            if (flags.contains(name)) {
                values.put(name, "true");
            } else if (settable && name.equals(SET) && i + 1 < args.length && args[i + 1].contains("=")) {
                String[] kv = args[++i].split("=", 2);
                settings.put(kv[0], kv[1]);
            } else if (defaults.containsKey(name) && i + 1 < args.length) {
                values.put(name, args[++i]);
            } else {
                throw new Usage("usage: " + usage(defaults, flags, settable) + " (got " + Arrays.toString(args) + ")");
            }
        }
    }

    private static String usage(Map<String, String> defaults, Set<String> flags, boolean settable) {
        StringBuilder usage = new StringBuilder();
        new TreeSet<>(defaults.keySet()).forEach(n -> usage.append(" [--").append(n).append(' ')
            .append(defaults.get(n)).append(']'));
        new TreeSet<>(flags).forEach(n -> usage.append(" [--").append(n).append(']'));
        if (settable) {
            usage.append(" [--set key=value (a setting of the processor, repeatable)]");
        }
        return usage.toString().trim();
    }

    String string(String name) {
        return values.get(name);
    }

    int integer(String name) {
        return Integer.parseInt(values.get(name).replace("_", ""));
    }

    long longValue(String name) {
        return Long.parseLong(values.get(name).replace("_", ""));
    }

    boolean bool(String name) {
        return Boolean.parseBoolean(values.get(name));
    }

    /** Whether the flag {@code --name} was given. */
    boolean flag(String name) {
        return Boolean.parseBoolean(values.get(name));
    }

    List<Integer> integers(String name) {
        return Arrays.stream(values.get(name).split(",")).map(s -> Integer.parseInt(s.trim().replace("_", ""))).toList();
    }

    List<String> strings(String name) {
        return Arrays.stream(values.get(name).split(",")).map(String::trim).toList();
    }

    /** The {@code --set key=value} settings, in the order given. */
    Map<String, String> settings() {
        return settings;
    }
}
