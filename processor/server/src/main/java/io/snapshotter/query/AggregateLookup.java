package io.snapshotter.query;

/**
 * The answer to "what is the current state of this aggregate?": found here, not found, held by
 * another instance, or not answerable right now.
 */
public sealed interface AggregateLookup {

    /** Which copy of the store answered. */
    enum Replica {
        /** The active copy: current. */
        ACTIVE,
        /** A standby or restoring copy, while the active one is not queryable: at most the configured lag behind. */
        STANDBY
    }

    /**
     * The copy that answered.
     *
     * @param offsetLag changelog records the copy was behind when asked (0 for the active copy)
     */
    record ServedFrom(Replica replica, long offsetLag) {
        public static final ServedFrom ACTIVE = new ServedFrom(Replica.ACTIVE, 0);
    }

    /** The aggregate, from a copy of its store on this instance. */
    record Found(AggregateView aggregate, ServedFrom servedFrom) implements AggregateLookup {
    }

    /** No such aggregate, according to a copy of its store on this instance. */
    record NotFound(ServedFrom servedFrom) implements AggregateLookup {
    }

    /** The key's active store is on {@code owner}: ask it. */
    record OnAnotherInstance(Instance owner) implements AggregateLookup {
    }

    /** No copy that may answer is queryable now (starting, rebalancing, restoring): try again later. */
    record NotReady(String reason) implements AggregateLookup {
    }
}
