package io.snapshotter.benchmarks;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options of a benchmark, with defaults, refusing unknown names. */
final class Options {

    private final Map<String, String> values = new HashMap<>();

    Options(String[] args, Map<String, String> defaults) {
        values.putAll(defaults);
        for (int i = 0; i < args.length; i++) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : null;
            if (name == null || !defaults.containsKey(name) || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: " + usage(defaults.keySet()) + " (got " + Arrays.toString(args) + ")");
            }
            values.put(name, args[++i]);
        }
    }

    private static String usage(Set<String> names) {
        StringBuilder usage = new StringBuilder();
        names.stream().sorted().forEach(n -> usage.append(" [--").append(n).append(" VALUE]"));
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

    List<Integer> integers(String name) {
        return Arrays.stream(values.get(name).split(",")).map(s -> Integer.parseInt(s.trim().replace("_", ""))).toList();
    }
}
