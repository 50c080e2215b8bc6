package io.snapshotter.fold;

/**
 * Thrown by a fold when an event cannot be applied to the current state (an invariant of the
 * domain would break). The event is dead-lettered with this message as the reason.
 */
public class FoldRejectedException extends RuntimeException {

    public FoldRejectedException(String message) {
        super(message);
    }
}
