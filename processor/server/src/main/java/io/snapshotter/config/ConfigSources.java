package io.snapshotter.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;

/**
 * Where configuration comes from, lowest precedence first: the defaults file
 * ({@code config/application.properties}), then a file given with {@code --config}, then
 * environment variables {@code SNAPSHOTTER_<KEY>} (upper case, dots as underscores:
 * {@code SNAPSHOTTER_KAFKA_BOOTSTRAP_SERVERS} sets {@code kafka.bootstrap.servers}).
 */
public final class ConfigSources {

    public static final String ENV_PREFIX = "SNAPSHOTTER_";

    private ConfigSources() {
    }

    public static Map<String, String> load(Path defaultsFile, Path configFile, Map<String, String> env) {
        Map<String, String> values = new HashMap<>();
        if (Files.isRegularFile(defaultsFile)) {
            values.putAll(readProperties(defaultsFile));
        }
        if (configFile != null) {
            if (!Files.isRegularFile(configFile)) {
                throw new ConfigException("Config file given with --config does not exist: " + configFile);
            }
            values.putAll(readProperties(configFile));
        }
        values.putAll(fromEnvironment(env));
        return values;
    }

    static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> values = new HashMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX)) {
                values.put(keyOf(name), value);
            }
        });
        return values;
    }

    /** The config key an environment variable sets. */
    public static String keyOf(String envName) {
        return envName.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }

    private static Map<String, String> readProperties(Path file) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            props.load(reader);
        } catch (IOException e) {
            throw new ConfigException("Cannot read config file " + file + ": " + e.getMessage());
        }
        Map<String, String> values = new HashMap<>();
        props.stringPropertyNames().forEach(k -> values.put(k, props.getProperty(k).trim()));
        return values;
    }
}
