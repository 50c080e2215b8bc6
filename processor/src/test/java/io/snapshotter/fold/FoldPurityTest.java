package io.snapshotter.fold;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The fold API and the shipped domain stay pure domain code: no Kafka types anywhere in them. */
class FoldPurityTest {

    private static final List<Path> PURE_PACKAGES = List.of(
        Path.of("src/main/java/io/snapshotter/fold"),
        Path.of("src/main/java/io/snapshotter/domain"));

    @Test
    void shouldKeepKafkaOutOfTheFoldApiAndTheDomain() throws IOException {
        for (Path root : PURE_PACKAGES) {
            assertThat(root).isDirectory();
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    assertThat(Files.readAllLines(file)).as(file.toString())
                        .noneMatch(line -> line.matches("\\s*import\\s+(static\\s+)?org\\.apache\\.kafka\\..*"));
                }
            }
        }
    }
}
