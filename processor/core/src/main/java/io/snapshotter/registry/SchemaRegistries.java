package io.snapshotter.registry;

/** Picks the registry client for {@code schema.registry.url}. */
public final class SchemaRegistries {

    public static final String IN_MEMORY_SCHEME = "mock://";

    private SchemaRegistries() {
    }

    public static SchemaRegistryClient fromConfig(RegistryConfig config) {
        if (config.url().startsWith(IN_MEMORY_SCHEME)) {
            return new InMemorySchemaRegistry();
        }
        return new RestSchemaRegistryClient(config.restSettings());
    }
}
