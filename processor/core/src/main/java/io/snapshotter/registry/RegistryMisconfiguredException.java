package io.snapshotter.registry;

/**
 * What answered is not a Confluent-compatible registry API as configured: an HTTP 404 without
 * Confluent's {@code error_code} (a base URL without the API's path), 401/403, or a body that is not
 * the API's JSON. A deployment error, not bad input: it is never taken for "no such schema".
 */
public class RegistryMisconfiguredException extends SchemaRegistryException {

    public RegistryMisconfiguredException(String message) {
        super(message);
    }
}
