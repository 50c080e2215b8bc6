package io.snapshotter.registry;

/**
 * The registry could not be reached or asked to come back later (I/O errors, timeouts, HTTP 429 and
 * 5xx) on every attempt. Transient: callers wait and try again; nothing is dead-lettered for it.
 */
public class RegistryUnavailableException extends SchemaRegistryException {

    public RegistryUnavailableException(String message) {
        super(message);
    }

    public RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
