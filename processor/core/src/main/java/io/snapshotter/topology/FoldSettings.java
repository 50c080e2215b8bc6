package io.snapshotter.topology;

import io.micrometer.core.instrument.MeterRegistry;
import io.snapshotter.topology.TopologyConfig.GapPolicy;
import io.snapshotter.topology.FoldRegistry.RegisteredFold;
import io.snapshotter.policy.SnapshotPolicy;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.registry.SubjectNameStrategy;
import io.snapshotter.snapshot.SnapshotFactory;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * The fold processor's settings and collaborators, resolved once when the topology is built from a
 * {@link TopologyConfig}, so the per-event path reads fields instead of parsing settings.
 */
final class FoldSettings {

    private final FoldRegistry folds;
    private final AvroWireCodec codec;
    private final SnapshotFactory snapshots;
    private final MeterRegistry meters;
    private final FoldListener listener;
    private final String snapshotRequestsTopic;
    private final SnapshotClock clock;
    private final GapPolicy gapPolicy;
    private final long punctuationIntervalMs;
    private final int maxSnapshotsPerPunctuation;
    private final boolean autoRegister;
    private final int maxStateBytes;
    private final Map<String, SnapshotPolicy> policies = new HashMap<>();

    FoldSettings(TopologyConfig config, FoldRegistry folds, AvroWireCodec codec, SnapshotFactory snapshots,
                    MeterRegistry meters, FoldListener listener) {
        this.folds = folds;
        this.codec = codec;
        this.snapshots = snapshots;
        this.meters = meters;
        this.listener = listener;
        this.snapshotRequestsTopic = config.snapshotRequestsTopic();
        this.clock = config.snapshotClock();
        this.gapPolicy = config.gapPolicy();
        this.punctuationIntervalMs = config.getLong(TopologyConfig.PUNCTUATION_INTERVAL_MS);
        this.maxSnapshotsPerPunctuation = config.getInt(TopologyConfig.PUNCTUATION_MAX_SNAPSHOTS);
        this.autoRegister = config.registry().autoRegister();
        this.maxStateBytes = config.maxStateBytes();
        // only aggregate types with a fold are ever folded, so their policies are all there is to resolve
        for (RegisteredFold fold : folds.all()) {
            policies.put(fold.fold().aggregateType(), config.policyFor(fold.fold().aggregateType()));
        }
    }

    FoldRegistry folds() {
        return folds;
    }

    AvroWireCodec codec() {
        return codec;
    }

    SnapshotFactory snapshots() {
        return snapshots;
    }

    MeterRegistry meters() {
        return meters;
    }

    FoldListener listener() {
        return listener;
    }

    String snapshotRequestsTopic() {
        return snapshotRequestsTopic;
    }

    SnapshotClock clock() {
        return clock;
    }

    GapPolicy gapPolicy() {
        return gapPolicy;
    }

    long punctuationIntervalMs() {
        return punctuationIntervalMs;
    }

    int maxSnapshotsPerPunctuation() {
        return maxSnapshotsPerPunctuation;
    }

    /** Largest encoded state of an aggregate. */
    int maxStateBytes() {
        return maxStateBytes;
    }

    /** The policy of an aggregate type that has a fold. */
    SnapshotPolicy policyFor(String aggregateType) {
        return policies.get(aggregateType);
    }

    /** A state record in the Confluent wire format, under its record-name subject. */
    byte[] encodeState(SpecificRecord state) {
        return codec.encode(SubjectNameStrategy.RECORD_NAME.subject(null, false, state.getSchema()), state, autoRegister);
    }

    SpecificRecord decodeState(byte[] state, RegisteredFold fold) {
        return codec.decode(state, fold.fold().stateType());
    }
}
