package io.snapshotter.replay;

/** A replay that must not run, e.g. while instances of the application are still running. */
public final class ReplayRefusedException extends RuntimeException {

    public ReplayRefusedException(String message) {
        super(message);
    }
}
