package io.snapshotter.registry;

import io.snapshotter.config.ProcessorConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.common.config.types.Password;

/** Picks the registry client for {@code schema.registry.url}. */
public final class SchemaRegistries {

    public static final String IN_MEMORY_SCHEME = "mock://";

    private SchemaRegistries() {
    }

    public static SchemaRegistryClient fromConfig(ProcessorConfig config) {
        String url = config.getString(ProcessorConfig.REGISTRY_URL);
        if (url.startsWith(IN_MEMORY_SCHEME)) {
            return new InMemorySchemaRegistry();
        }
        return new RestSchemaRegistryClient(new RestSchemaRegistryClient.Settings(URI.create(url),
            secret(config, ProcessorConfig.REGISTRY_BASIC_AUTH), secret(config, ProcessorConfig.REGISTRY_BEARER_TOKEN),
            Duration.ofMillis(config.getInt(ProcessorConfig.REGISTRY_REQUEST_TIMEOUT_MS)),
            config.getInt(ProcessorConfig.REGISTRY_MAX_ATTEMPTS),
            Duration.ofMillis(config.getInt(ProcessorConfig.REGISTRY_RETRY_BACKOFF_MS))));
    }

    private static Optional<String> secret(ProcessorConfig config, String key) {
        return Optional.ofNullable(config.getPassword(key)).map(Password::value).filter(v -> !v.isEmpty());
    }
}
