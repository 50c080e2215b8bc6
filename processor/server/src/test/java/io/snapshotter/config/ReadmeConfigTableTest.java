package io.snapshotter.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

/**
 * The README's key table (section "Configuration") against the components' own definitions: every
 * key they define is documented with its default, and every documented key is defined, so the
 * defaults live in one place (the {@link ConfigDef}s) and the README cannot drift from them.
 */
class ReadmeConfigTableTest {

    private static final Path README = Path.of("..", "..", "README.md");
    /** A table row: one or more backticked keys, then the default (backticked or empty). */
    private static final Pattern ROW = Pattern.compile("^\\| ((?:`[a-z0-9.<>*]+`(?:, )?)+) \\| ?(?:`([^`]*)`)? ?\\|");

    @Test
    void shouldDocumentEveryDefinedKeyWithItsDefault() throws IOException {
        Map<String, String> documented = documentedKeys();
        for (ConfigDef def : ProcessorConfig.COMPONENT_DEFS) {
            for (ConfigDef.ConfigKey key : def.configKeys().values()) {
                assertThat(documented).as("README documents '%s'", key.name).containsKey(key.name);
                assertThat(documented.get(key.name)).as("README's default of '%s'", key.name)
                    .isEqualTo(defaultText(key));
            }
        }
    }

    @Test
    void shouldDefineEveryDocumentedKey() throws IOException {
        for (String key : documentedKeys().keySet()) {
            if (key.contains("*") || key.contains("<")) {
                continue; // the prefixes: kafka.*, snapshot.policy.config.*, aggregate.<type>.snapshot.*
            }
            assertThat(ProcessorConfig.knownKeys()).as("README documents '%s'", key).contains(key);
        }
    }

    private static String defaultText(ConfigDef.ConfigKey key) {
        Object value = key.defaultValue;
        if (value == null) {
            return "";
        }
        return key.type == ConfigDef.Type.CLASS ? ((Class<?>) value).getName() : String.valueOf(value);
    }

    /** Key to documented default ("" when none) of every row of the Configuration section's table. */
    private static Map<String, String> documentedKeys() throws IOException {
        List<String> lines = Files.readAllLines(README);
        int start = lines.indexOf("## Configuration");
        assertThat(start).as("README has a Configuration section").isNotNegative();
        Map<String, String> keys = new LinkedHashMap<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            Matcher row = ROW.matcher(line);
            if (row.find()) {
                for (String key : row.group(1).split(", ")) {
                    keys.put(key.replace("`", ""), row.group(2) == null ? "" : row.group(2));
                }
            }
        }
        assertThat(keys).as("rows of the README's key table").hasSizeGreaterThan(40);
        return keys;
    }
}
