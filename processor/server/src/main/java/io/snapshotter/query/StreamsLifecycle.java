package io.snapshotter.query;

import java.nio.file.Path;
import org.apache.kafka.streams.KafkaStreams;

/**
 * What readiness knows of this instance's Kafka Streams beyond what {@link KafkaStreams} answers:
 * the stream threads it was configured with, its state directory, and whether it has been RUNNING
 * since it started (before that, a REBALANCING instance is still restoring its first assignment).
 * Kafka Streams takes one state listener: its owner passes every change on to {@link #onChange}.
 */
public final class StreamsLifecycle implements KafkaStreams.StateListener {

    private final int configuredThreads;
    private final Path stateDirectory;
    private volatile boolean reachedRunning;

    /**
     * @param configuredThreads {@code num.stream.threads}
     * @param stateDirectory    {@code state.dir}
     */
    public StreamsLifecycle(int configuredThreads, Path stateDirectory) {
        this.configuredThreads = configuredThreads;
        this.stateDirectory = stateDirectory;
    }

    @Override
    public void onChange(KafkaStreams.State newState, KafkaStreams.State oldState) {
        if (newState == KafkaStreams.State.RUNNING) {
            reachedRunning = true;
        }
    }

    /** Whether Kafka Streams has been RUNNING at least once. */
    public boolean reachedRunning() {
        return reachedRunning;
    }

    public int configuredThreads() {
        return configuredThreads;
    }

    public Path stateDirectory() {
        return stateDirectory;
    }
}
