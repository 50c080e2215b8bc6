package io.snapshotter.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time of this JVM's threads over a run, grouped by role: the stream threads, the Kafka
 * clients' I/O threads, the JVM's own (GC, JIT), and everything else, which in these benchmarks is
 * the in-JVM broker and controller. Threads are sampled as the run goes, so one that ends during
 * the run keeps the time of its last sample.
 */
final class CpuSampler {

    /** Roles, in print order. */
    static final String STREAM = "stream threads";
    static final String CONSUMER = "plain consumer";
    static final String CLIENT_IO = "client I/O";
    /** The JVM's own: JIT compiler threads, and GC and VM threads, which only the process total sees. */
    static final String JVM = "GC+JIT";
    static final String BROKER = "broker+other";
    /**
     * The threads of a relay copying the snapshot topic into a sink ({@code <sink>-snapshot-writer}, and
     * the sink's own writing a batch's groups, {@code <sink>-snapshot-writer-group-<n>}).
     */
    static final String SNAPSHOT_WRITER = "snapshot writer";

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final Map<Long, Long> startCpu = new HashMap<>();
    private final Map<Long, Long> lastCpu = new HashMap<>();
    private final Map<Long, String> names = new HashMap<>();
    private final long startProcessCpu;
    private final long startWall;
    private final double loadAverage;

    CpuSampler() {
        if (threads.isThreadCpuTimeSupported() && !threads.isThreadCpuTimeEnabled()) {
            threads.setThreadCpuTimeEnabled(true);
        }
        loadAverage = os.getSystemLoadAverage();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null) {
                long cpu = threads.getThreadCpuTime(info.getThreadId());
                if (cpu >= 0) {
                    startCpu.put(info.getThreadId(), cpu);
                }
            }
        }
        startProcessCpu = os.getProcessCpuTime();
        startWall = System.nanoTime();
    }

    /** Records the CPU time of every live thread. */
    void sample() {
        for (long id : threads.getAllThreadIds()) {
            long cpu = threads.getThreadCpuTime(id);
            if (cpu < 0) {
                continue;
            }
            lastCpu.put(id, cpu);
            names.computeIfAbsent(id, i -> {
                ThreadInfo info = threads.getThreadInfo(i);
                return info == null ? "?" : info.getThreadName();
            });
        }
    }

    /** The load average of the machine when this sampler started (other processes included). */
    double loadAverage() {
        return loadAverage;
    }

    /** Cores used by role (CPU seconds per wall second) since the start, with "process" the whole JVM. */
    Map<String, Double> coresByRole() {
        sample();
        double wall = (System.nanoTime() - startWall) / 1e9;
        Map<String, Double> byRole = new LinkedHashMap<>();
        for (String role : new String[] {STREAM, CONSUMER, CLIENT_IO, JVM, BROKER, SNAPSHOT_WRITER}) {
            byRole.put(role, 0.0);
        }
        lastCpu.forEach((id, cpu) -> {
            long used = cpu - startCpu.getOrDefault(id, 0L);
            byRole.merge(roleOf(names.get(id)), used / 1e9 / wall, Double::sum);
        });
        double process = (os.getProcessCpuTime() - startProcessCpu) / 1e9 / wall;
        double javaThreads = byRole.values().stream().mapToDouble(Double::doubleValue).sum();
        byRole.merge(JVM, Math.max(0, process - javaThreads), Double::sum);
        byRole.put("process", process);
        return byRole;
    }

    static String roleOf(String name) {
        if (name == null) {
            return BROKER;
        }
        if (name.endsWith("-snapshot-writer") || name.contains("-snapshot-writer-group-")
                || name.equals("snapshot-writer-metrics")) {
            return SNAPSHOT_WRITER;
        }
        if (name.startsWith("kafka-producer-network-thread") || name.startsWith("kafka-admin-client-thread")
                || name.startsWith("consumer_background_thread") || name.contains("heartbeat")
                || name.contains("StateUpdater")) {
            return CLIENT_IO;
        }
        if (name.matches(".*-StreamThread-\\d+")) {
            return STREAM;
        }
        if (name.equals(ThroughputBenchmark.PLAIN_CONSUMER_THREAD)) {
            return CONSUMER;
        }
        if (name.startsWith("GC ") || name.startsWith("G1 ") || name.contains("CompilerThread")
                || name.equals("VM Thread") || name.startsWith("VM Periodic")) {
            return JVM;
        }
        return BROKER;
    }
}
