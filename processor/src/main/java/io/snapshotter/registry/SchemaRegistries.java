package io.snapshotter.registry;

import io.snapshotter.config.ProcessorConfig;
import org.apache.kafka.common.config.ConfigException;

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
        throw new ConfigException(ProcessorConfig.REGISTRY_URL, url,
            "only the in-process registry (mock://<name>) is available in this build");
    }
}
