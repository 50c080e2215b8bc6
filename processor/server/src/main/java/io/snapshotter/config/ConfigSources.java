package io.snapshotter.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;

/**
 * Where configuration comes from, lowest precedence first: the defaults file
 * ({@code config/application.properties}), then a file given with {@code --config}, then
 * environment variables {@code SNAPSHOTTER_<KEY>} (upper case, dots as underscores:
 * {@code SNAPSHOTTER_KAFKA_BOOTSTRAP_SERVERS} sets {@code kafka.bootstrap.servers}). Values are
 * trimmed; each keeps its origin, so an error can say where a bad key came from.
 */
public final class ConfigSources {

    public static final String ENV_PREFIX = "SNAPSHOTTER_";

    /**
     * The variables Kubernetes injects for a Service named {@code snapshotter} or
     * {@code snapshotter-<x>} in the namespace ({@code SNAPSHOTTER_SERVICE_HOST},
     * {@code SNAPSHOTTER_X_PORT_8080_TCP_ADDR}, ...): they share our prefix without being settings.
     */
    private static final Pattern SERVICE_LINK = Pattern.compile(ENV_PREFIX.replace("_", "") + "(_[A-Z0-9_]+)?_"
        + "(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT(_[0-9]+_(TCP|UDP|SCTP)(_(ADDR|PORT|PROTO))?)?)");

    /** Configuration values, each with where it came from: a file's path or an environment variable. */
    public record Loaded(Map<String, String> values, Map<String, String> origins) {

        public Loaded {
            values = Map.copyOf(values);
            origins = Map.copyOf(origins);
        }

        /** Where {@code key}'s value came from, e.g. {@code /etc/app.properties}; empty if not loaded here. */
        public Optional<String> originOf(String key) {
            return Optional.ofNullable(origins.get(key));
        }
    }

    private ConfigSources() {
    }

    public static Loaded load(Path defaultsFile, Path configFile, Map<String, String> env) {
        Map<String, String> values = new HashMap<>();
        Map<String, String> origins = new HashMap<>();
        if (Files.isRegularFile(defaultsFile)) {
            readProperties(defaultsFile).forEach((key, value) -> put(values, origins, key, value, defaultsFile.toString()));
        }
        if (configFile != null) {
            if (!Files.isRegularFile(configFile)) {
                throw new ConfigException("Config file given with --config does not exist: " + configFile);
            }
            readProperties(configFile).forEach((key, value) -> put(values, origins, key, value, configFile.toString()));
        }
        new TreeMap<>(env).forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && !isServiceLink(name)) {
                put(values, origins, keyOf(name), value.trim(), "environment variable " + name);
            }
        });
        return new Loaded(values, origins);
    }

    private static void put(Map<String, String> values, Map<String, String> origins, String key, String value,
                            String origin) {
        values.put(key, value);
        origins.put(key, origin);
    }

    /**
     * A variable of a Kubernetes service link's shape that sets no key we know. One of that shape
     * that does ({@code SNAPSHOTTER_HTTP_PORT}) is a setting.
     */
    static boolean isServiceLink(String envName) {
        return SERVICE_LINK.matcher(envName).matches() && !ProcessorConfig.accepts(keyOf(envName));
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
