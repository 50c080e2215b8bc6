package io.snapshotter.topology;

import io.micrometer.core.instrument.MeterRegistry;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.config.ProcessorConfig.GapPolicy;
import io.snapshotter.fold.FoldRegistry;
import io.snapshotter.fold.FoldRegistry.RegisteredFold;
import io.snapshotter.policy.SnapshotClock;
import io.snapshotter.policy.SnapshotPolicy;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.SubjectNameStrategy;
import io.snapshotter.snapshot.SnapshotFactory;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * What the fold processor needs from configuration, resolved once when the topology is built, so
 * the per-event path reads fields instead of parsing settings.
 */
final class TopologyContext {

    private final FoldRegistry folds;
    private final AvroWireCodec codec;
    private final SnapshotFactory snapshots;
    private final MeterRegistry meters;
    private final String snapshotRequestsTopic;
    private final SnapshotClock clock;
    private final GapPolicy gapPolicy;
    private final long punctuationIntervalMs;
    private final int maxSnapshotsPerPunctuation;
    private final boolean autoRegister;
    private final Map<String, SnapshotPolicy> policies = new HashMap<>();

    TopologyContext(ProcessorConfig config, FoldRegistry folds, AvroWireCodec codec, SnapshotFactory snapshots,
                    MeterRegistry meters) {
        this.folds = folds;
        this.codec = codec;
        this.snapshots = snapshots;
        this.meters = meters;
        this.snapshotRequestsTopic = config.getString(ProcessorConfig.SNAPSHOT_REQUESTS_TOPIC);
        this.clock = config.snapshotClock();
        this.gapPolicy = config.gapPolicy();
        this.punctuationIntervalMs = config.getLong(ProcessorConfig.PUNCTUATION_INTERVAL_MS);
        this.maxSnapshotsPerPunctuation = config.getInt(ProcessorConfig.PUNCTUATION_MAX_SNAPSHOTS);
        this.autoRegister = config.getBoolean(ProcessorConfig.REGISTRY_AUTO_REGISTER);
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
