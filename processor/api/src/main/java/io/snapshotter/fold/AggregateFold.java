package io.snapshotter.fold;

import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * The pure domain function of one aggregate type: {@code (state, event) -> state}.
 *
 * <p>A fold has no Kafka types and no side effects, so it is tested as plain code. The processor
 * finds folds with {@link java.util.ServiceLoader}: a jar that lists its implementation in
 * {@code META-INF/services/io.snapshotter.fold.AggregateFold} adds a new aggregate type without
 * any change to the topology.
 *
 * <p>Throwing from {@link #apply} rejects the event: it goes to the dead-letter topic with the
 * exception's message, and the aggregate stays as it was.
 *
 * @param <S> the aggregate's state, an Avro specific record
 */
public interface AggregateFold<S extends SpecificRecord> {

    /** The value of {@code aggregateType} in the event envelope that selects this fold. */
    String aggregateType();

    /** The Avro class of the state. */
    Class<S> stateType();

    /** The Avro classes of the events this fold accepts; any other payload is dead-lettered. */
    Set<Class<? extends SpecificRecord>> eventTypes();

    /**
     * Folds one event into the state.
     *
     * @param state the current state, or {@code null} before the aggregate's first event
     * @param event the event, whose payload is one of {@link #eventTypes()}
     * @return the new state, never {@code null}
     */
    S apply(S state, DomainEvent event);

    /**
     * The version of this fold's logic. Snapshots record it, so a state produced by an older fold
     * can be told apart after the fold changes.
     */
    default int version() {
        return 1;
    }
}
