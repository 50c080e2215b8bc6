package io.snapshotter.registry;

import java.net.MalformedURLException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/** The schema registry's settings ({@code schema.registry.*}); {@link #CONFIG_DEF} defines the keys. */
public final class RegistryConfig extends AbstractConfig {

    public static final String URL = "schema.registry.url";
    public static final String AUTO_REGISTER = "schema.registry.auto.register";
    public static final String SUBJECT_STRATEGY = "schema.registry.subject.name.strategy";
    public static final String BASIC_AUTH = "schema.registry.basic.auth.user.info";
    public static final String BEARER_TOKEN = "schema.registry.bearer.token";
    public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
    public static final String MAX_ATTEMPTS = "schema.registry.max.attempts";
    public static final String RETRY_BACKOFF_MS = "schema.registry.retry.backoff.ms";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
        .define(URL, Type.STRING, null, new UrlValidator(), Importance.HIGH,
            "Schema registry URL (http or https, with the path prefix of the Confluent-compatible API); "
                + "required by run and replay. mock://<name> is an in-memory registry inside this process, "
                + "for the embedded demo and tests only.")
        .define(BASIC_AUTH, Type.PASSWORD, null, Importance.MEDIUM,
            "user:password for HTTP basic authentication to the registry.")
        .define(BEARER_TOKEN, Type.PASSWORD, null, Importance.MEDIUM,
            "A bearer token for the registry (used when no basic auth is set).")
        .define(REQUEST_TIMEOUT_MS, Type.INT, 10_000, ConfigDef.Range.atLeast(1), Importance.LOW,
            "Timeout of one registry request.")
        .define(MAX_ATTEMPTS, Type.INT, 5, ConfigDef.Range.atLeast(1), Importance.LOW,
            "Attempts of one registry call on transient failures (connection errors, timeouts, 429, 5xx).")
        .define(RETRY_BACKOFF_MS, Type.INT, 100, ConfigDef.Range.atLeast(0), Importance.LOW,
            "First delay between registry attempts, doubled for each further one, with jitter.")
        .define(AUTO_REGISTER, Type.BOOLEAN, true, Importance.MEDIUM,
            "Register the schemas the processor writes (snapshots, states) when missing.")
        .define(SUBJECT_STRATEGY, Type.STRING, "topic-name",
            ConfigDef.ValidString.in("topic-name", "record-name"), Importance.LOW,
            "Subject naming of topic values: <topic>-value, or the record's full name.");

    /** @param values every configuration value (keys of other components are ignored here) */
    public RegistryConfig(Map<String, ?> values) {
        super(CONFIG_DEF, values, false);
    }

    /** The registry's URL; a {@link ConfigException} naming the key when none is configured. */
    public String url() {
        return configuredUrl().orElseThrow(() -> new ConfigException("Missing required configuration '" + URL
            + "': the schema registry's URL (http://... or https://...)"));
    }

    /** The registry's URL, if one is configured. */
    public Optional<String> configuredUrl() {
        return Optional.ofNullable(getString(URL));
    }

    /**
     * Requires a registry other processes share: a configured http(s) URL. The in-memory
     * {@code mock://} registry is visible to this process alone, so producers elsewhere and the
     * next run could not resolve the schemas it hands out.
     */
    public void requireShared() {
        String url = url();
        if (url.startsWith(SchemaRegistries.IN_MEMORY_SCHEME)) {
            throw new ConfigException(URL, url, "is an in-memory registry, which only the embedded demo may use; "
                + "give the schema registry's http:// or https:// URL");
        }
    }

    public boolean autoRegister() {
        return getBoolean(AUTO_REGISTER);
    }

    public SubjectNameStrategy subjectNameStrategy() {
        return SubjectNameStrategy.fromConfig(getString(SUBJECT_STRATEGY));
    }

    /** The REST client's settings, for a registry that is not in memory. */
    RestSchemaRegistryClient.Settings restSettings() {
        return new RestSchemaRegistryClient.Settings(URI.create(url()), secret(BASIC_AUTH), secret(BEARER_TOKEN),
            Duration.ofMillis(getInt(REQUEST_TIMEOUT_MS)), getInt(MAX_ATTEMPTS),
            Duration.ofMillis(getInt(RETRY_BACKOFF_MS)));
    }

    private Optional<String> secret(String key) {
        return Optional.ofNullable(getPassword(key)).map(Password::value).filter(v -> !v.isEmpty());
    }

    /** Accepts no URL (unset), mock://..., http://... and https://... URLs. */
    private static final class UrlValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String url = (String) value;
            if (url == null) {
                return;
            }
            if (!(url.startsWith("mock://") || url.startsWith("http://") || url.startsWith("https://"))) {
                throw new ConfigException(name, value, "must start with http://, https:// or mock://");
            }
            if (!url.startsWith("mock://")) {
                try {
                    URI.create(url).toURL();
                } catch (IllegalArgumentException | MalformedURLException e) {
                    throw new ConfigException(name, value, "is not a valid URL: " + e.getMessage());
                }
            }
        }

        @Override
        public String toString() {
            return "http://..., https://... or mock://<name>";
        }
    }
}
