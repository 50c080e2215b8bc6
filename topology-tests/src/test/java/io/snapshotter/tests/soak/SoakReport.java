package io.snapshotter.tests.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * The soak's outcome: the faults planned and injected, the checks with how many of their cases
 * failed (and a few examples), each SIGKILL's restart (time to ready, records restored), and the
 * incidents worth reading (a fault that could not be played as planned, an instance that exited
 * unasked). Printed as Markdown tables.
 */
final class SoakReport {

    record Fault(String name, int planned, int injected) {
    }

    record Check(String name, long cases, long failures, List<String> examples) {
        boolean passed() {
            return cases > 0 && failures == 0;
        }
    }

    private final String title;
    private final Map<String, int[]> faults = new ConcurrentHashMap<>();
    private final List<String> faultOrder = new CopyOnWriteArrayList<>();
    private final List<Check> checks = new CopyOnWriteArrayList<>();
    private final List<String> incidents = new CopyOnWriteArrayList<>();
    /** Per restart after a SIGKILL: milliseconds from the kill to ready, and changelog records restored. */
    private final List<long[]> restarts = new CopyOnWriteArrayList<>();

    SoakReport(String title) {
        this.title = title;
    }

    void plan(String fault, int planned) {
        faults.computeIfAbsent(fault, f -> {
            faultOrder.add(f);
            return new int[2];
        })[0] += planned;
    }

    void injected(String fault) {
        faults.computeIfAbsent(fault, f -> {
            faultOrder.add(f);
            return new int[2];
        })[1]++;
    }

    void restart(long readyMillis, long recordsRestored) {
        restarts.add(new long[] {readyMillis, recordsRestored});
    }

    void incident(String what) {
        System.out.println("soak incident: " + what);
        incidents.add(what);
    }

    void check(String name, long cases, long failures, List<String> examples) {
        checks.add(new Check(name, cases, failures, examples.stream().limit(5).toList()));
    }

    List<Fault> faults() {
        return faultOrder.stream().map(f -> new Fault(f, faults.get(f)[0], faults.get(f)[1])).toList();
    }

    List<Check> checks() {
        return List.copyOf(checks);
    }

    List<String> incidents() {
        return List.copyOf(incidents);
    }

    /** The faults injected short of their plan, and the checks failed, one line each; empty when all is well. */
    List<String> failures() {
        List<String> failed = new ArrayList<>();
        faults().stream().filter(f -> f.injected() < f.planned())
            .forEach(f -> failed.add("fault '" + f.name() + "': " + f.injected() + " of " + f.planned() + " injected"));
        checks.stream().filter(c -> !c.passed())
            .forEach(c -> failed.add("check '" + c.name() + "': " + c.failures() + " of " + c.cases() + " failed " + c.examples()));
        return failed;
    }

    String table() {
        StringBuilder out = new StringBuilder(title).append("\n\n| fault | planned | injected |\n|---|---:|---:|\n");
        for (Fault f : faults()) {
            out.append("| ").append(f.name()).append(" | ").append(f.planned()).append(" | ").append(f.injected()).append(" |\n");
        }
        out.append("\n| check | result | failed / cases |\n|---|---|---:|\n");
        for (Check c : checks) {
            out.append("| ").append(c.name()).append(" | ").append(c.passed() ? "passed" : "FAILED").append(" | ")
                .append(c.failures()).append(" / ").append(c.cases()).append(" |\n");
        }
        if (!restarts.isEmpty()) {
            out.append("\n| restart after a SIGKILL | kill to ready (ms) | changelog records restored |\n|---|---:|---:|\n");
            for (int i = 0; i < restarts.size(); i++) {
                out.append("| ").append(i + 1).append(" | ").append(restarts.get(i)[0]).append(" | ")
                    .append(restarts.get(i)[1]).append(" |\n");
            }
        }
        String examples = checks.stream().filter(c -> !c.passed() && !c.examples().isEmpty())
            .map(c -> "  " + c.name() + ": " + String.join("; ", c.examples())).collect(Collectors.joining("\n"));
        if (!examples.isEmpty()) {
            out.append("\nexamples of failures:\n").append(examples).append('\n');
        }
        if (!incidents.isEmpty()) {
            out.append("\nincidents:\n");
            incidents.forEach(i -> out.append("  ").append(i).append('\n'));
        }
        return out.toString();
    }
}
