package io.snapshotter.topology;

import java.util.Locale;

/** The clock the time trigger runs on. */
public enum SnapshotClock {
    /**
     * Wall-clock time: an idle aggregate with pending events still gets its snapshot once T has
     * passed, even when no new events arrive.
     */
    WALL_CLOCK,
    /**
     * Stream time (the highest event timestamp seen by the task): time snapshots depend on the input
     * alone, so a replay reproduces them, but they wait for newer events to move time forward.
     */
    STREAM_TIME;

    public static SnapshotClock fromConfig(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
