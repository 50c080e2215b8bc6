package io.snapshotter.fold;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What the api jar brings to a fold author's compile class path: Avro (and what Avro needs), no Kafka, no AWS,
 * no Micrometer, no Scala. Reads the module's resolved compile dependencies, transitive included, which
 * maven-dependency-plugin's {@code list} goal writes at generate-test-resources (see processor/api/pom.xml).
 * The imports of the api sources themselves are checked by checkstyle (config/checkstyle/import-control.xml).
 */
class ApiDependenciesTest {

    /** groupId:artifactId:type[:classifier]:version:scope, as the list goal prints each artifact. */
    private static final Pattern COORDINATES = Pattern.compile("[\\w.\\-]+:[\\w.\\-]+:[\\w.\\-]+(:[\\w.\\-]+)?:[\\w.\\-]+:\\w+");

    private static final List<String> FORBIDDEN = List.of("org.apache.kafka", "software.amazon", "com.amazonaws",
            "io.micrometer", "scala");

    @Test
    void compileClassPathHasAvroAndNoKafkaAwsMicrometerOrScala() throws IOException {
        List<String> dependencies = compileDependencies();

        assertThat(dependencies).as("resolved compile dependencies of snapshotter-api")
                .anyMatch(coordinates -> coordinates.startsWith("org.apache.avro:avro:"));
        for (String forbidden : FORBIDDEN) {
            assertThat(dependencies).as("compile dependencies matching '%s' (the api jar must not bring them)", forbidden)
                    .noneMatch(coordinates -> coordinates.contains(forbidden));
        }
    }

    private static List<String> compileDependencies() throws IOException {
        String property = System.getProperty("api.compileClasspathFile");
        assertThat(property).as("system property api.compileClasspathFile (set by surefire in processor/api/pom.xml;"
                + " run the test through Maven)").isNotBlank();
        Path file = Path.of(property);
        assertThat(file).as("dependency list written by maven-dependency-plugin at generate-test-resources").isRegularFile();
        List<String> dependencies = Files.readAllLines(file).stream()
                .map(String::strip)
                .map(line -> line.split("\\s+", 2)[0])
                .filter(token -> COORDINATES.matcher(token).matches())
                .toList();
        assertThat(dependencies).as("artifacts parsed from %s", file).isNotEmpty();
        return dependencies;
    }
}
