package io.snapshotter.config;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
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
 * Where configuration comes from, lowest precedence first: the built-in defaults (the shipped
 * {@code config/application.properties}, inside the jar), the defaults file of the working directory
 * ({@code config/application.properties}), then a file given with {@code --config}, then
 * environment variables {@code SNAPSHOTTER_<KEY>} (upper case, dots as underscores:
 * {@code SNAPSHOTTER_KAFKA_BOOTSTRAP_SERVERS} sets {@code kafka.bootstrap.servers}). Values are
 * trimmed; each keeps its origin, so an error can say where a bad key came from.
 */
public final class ConfigSources {

    public static final String ENV_PREFIX = "SNAPSHOTTER_";
    /** The shipped {@code config/application.properties}, as the build puts it into the jar. */
    public static final String BUILT_IN_DEFAULTS = "/io/snapshotter/defaults/application.properties";

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

    /** Without built-in defaults: {@code defaultsFile}, {@code configFile}, then {@code env}. */
    public static Loaded load(Path defaultsFile, Path configFile, Map<String, String> env) {
        return load(null, defaultsFile, configFile, env);
    }

    /**
     * @param builtInDefaults the lowest layer, a resource of the jar ({@link #builtInDefaults()}); null: none
     * @param defaultsFile    read when it exists
     * @param configFile      {@code --config}'s file, which must exist; null: none
     */
    public static Loaded load(URL builtInDefaults, Path defaultsFile, Path configFile, Map<String, String> env) {
        Map<String, String> values = new HashMap<>();
        Map<String, String> origins = new HashMap<>();
        if (builtInDefaults != null) {
            try (Reader reader = new InputStreamReader(builtInDefaults.openStream(), StandardCharsets.UTF_8)) {
                readProperties(reader).forEach((key, value) ->
                    put(values, origins, key, value, "the built-in defaults"));
            } catch (IOException e) {
                throw new ConfigException("Cannot read the built-in defaults " + builtInDefaults + ": " + e.getMessage());
            }
        }
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

    /** The shipped defaults inside the jar; null where the class path has none. */
    public static URL builtInDefaults() {
        return ConfigSources.class.getResource(BUILT_IN_DEFAULTS);
    }

    private static Map<String, String> readProperties(Path file) {
        try (Reader reader = Files.newBufferedReader(file)) {
            return readProperties(reader);
        } catch (IOException e) {
            throw new ConfigException("Cannot read config file " + file + ": " + e.getMessage());
        }
    }

    private static Map<String, String> readProperties(Reader reader) throws IOException {
        Properties props = new Properties();
        props.load(reader);
        Map<String, String> values = new HashMap<>();
        props.stringPropertyNames().forEach(k -> values.put(k, props.getProperty(k).trim()));
        return values;
    }
}
