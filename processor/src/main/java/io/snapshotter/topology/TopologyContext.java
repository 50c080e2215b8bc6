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
import org.apache.avro.specific.SpecificRecord;

/** What the fold processor needs from configuration, resolved once when the topology is built. */
record TopologyContext(ProcessorConfig config, FoldRegistry folds, AvroWireCodec codec, SnapshotFactory snapshots,
                       MeterRegistry meters) {

    String snapshotRequestsTopic() {
        return config.getString(ProcessorConfig.SNAPSHOT_REQUESTS_TOPIC);
    }

    SnapshotClock clock() {
        return config.snapshotClock();
    }

    GapPolicy gapPolicy() {
        return config.gapPolicy();
    }

    long punctuationIntervalMs() {
        return config.getLong(ProcessorConfig.PUNCTUATION_INTERVAL_MS);
    }

    int maxSnapshotsPerPunctuation() {
        return config.getInt(ProcessorConfig.PUNCTUATION_MAX_SNAPSHOTS);
    }

    SnapshotPolicy policyFor(String aggregateType) {
        return config.policyFor(aggregateType);
    }

    /** A state record in the Confluent wire format, under its record-name subject. */
    byte[] encodeState(SpecificRecord state) {
        return codec.encode(SubjectNameStrategy.RECORD_NAME.subject(null, false, state.getSchema()), state,
            config.getBoolean(ProcessorConfig.REGISTRY_AUTO_REGISTER));
    }

    SpecificRecord decodeState(byte[] state, RegisteredFold fold) {
        return codec.decode(state, fold.fold().stateType());
    }
}
