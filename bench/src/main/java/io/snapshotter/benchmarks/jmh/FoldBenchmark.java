package io.snapshotter.benchmarks.jmh;

import io.snapshotter.domain.inventory.InventoryItemFold;
import io.snapshotter.domain.inventory.state.InventoryItemState;
import io.snapshotter.fold.DomainEvent;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link InventoryItemFold#apply} alone over the sample event mix (one op = one event): each event
 * is applied to the state its aggregate had just before it, precomputed, so nothing but the fold is
 * measured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class FoldBenchmark {

    private static final int EVENTS = 1 << 16;

    private final InventoryItemFold fold = new InventoryItemFold();
    private DomainEvent[] events;
    private InventoryItemState[] before;
    private int next;

    @Setup
    public void setUp() {
        Workload workload = new Workload(1_000, EVENTS);
        before = workload.statesBefore();
        events = new DomainEvent[EVENTS];
        for (int i = 0; i < EVENTS; i++) {
            events[i] = Workload.domainEvent(workload.events[i]);
        }
    }

    @Benchmark
    public InventoryItemState inventoryItemFoldApply() {
        int i = next++ & (EVENTS - 1);
        return fold.apply(before[i], events[i]);
    }
}
