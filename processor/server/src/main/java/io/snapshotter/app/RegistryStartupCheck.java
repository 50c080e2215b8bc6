package io.snapshotter.app;

import io.snapshotter.registry.RegistryConfig;
import io.snapshotter.registry.RegistryMisconfiguredException;
import io.snapshotter.registry.RegistryUnavailableException;
import io.snapshotter.registry.SchemaRegistryClient;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema registry's check before Kafka Streams starts. A registry that is down is waited for
 * (a WARN per attempt, backing off up to {@link #MAX_BACKOFF}), never skipped: without it no event
 * decodes. One that answers but is not the Confluent API as configured fails the start, naming
 * {@code schema.registry.url}: waiting would not fix a deployment error.
 */
final class RegistryStartupCheck {

    static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(RegistryStartupCheck.class);

    /** How the check waits between attempts; tests pass one that does not sleep. */
    interface Pause {
        void pause(Duration duration) throws InterruptedException;
    }

    private RegistryStartupCheck() {
    }

    /** Returns once the registry answers as the Confluent API. */
    static void await(SchemaRegistryClient registry, String url) throws InterruptedException {
        await(registry, url, duration -> Thread.sleep(duration.toMillis()));
    }

    static void await(SchemaRegistryClient registry, String url, Pause pause) throws InterruptedException {
        Duration backoff = FIRST_BACKOFF;
        for (int attempt = 1; ; attempt++) {
            try {
                registry.check();
                if (attempt > 1) {
                    LOG.info("Schema registry at {} answers after {} attempts", url, attempt);
                }
                return;
            } catch (RegistryMisconfiguredException e) {
                throw new RegistryMisconfiguredException("Cannot start: " + RegistryConfig.URL + "=" + url
                    + " is not a Confluent-compatible schema registry API: " + e.getMessage());
            } catch (RegistryUnavailableException e) {
                LOG.warn("Schema registry at {} unavailable (attempt {}), trying again in {} ms: {}", url, attempt,
                    backoff.toMillis(), e.getMessage());
                pause.pause(backoff);
                backoff = next(backoff);
            }
        }
    }

    static Duration next(Duration backoff) {
        Duration doubled = backoff.multipliedBy(2);
        return doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
    }
}
