package io.snapshotter.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The image, checked without a Docker engine: its health check asks {@code /health} on the port the
 * processor is told to use, it is labelled, and {@code .dockerignore} keeps build output and local
 * state out of the context without hiding anything the build stage copies.
 */
class DockerImageTest {

    private static final Path ROOT = Path.of("..", "..");
    private static final Path DOCKERFILE = ROOT.resolve("docker/Dockerfile");
    private static final Pattern COPY = Pattern.compile("(?m)^COPY (?!--from)(.+)$");

    @Test
    void shouldCheckHealthOnTheConfiguredPort() throws IOException {
        String dockerfile = Files.readString(DOCKERFILE);

        assertThat(dockerfile).contains("curl -fsS \"http://127.0.0.1:${" + ConfigSources.ENV_PREFIX + "HTTP_PORT:-8080}/health\"");
        assertThat(ProcessorConfig.accepts(ConfigSources.keyOf(ConfigSources.ENV_PREFIX + "HTTP_PORT"))).isTrue();
        assertThat(dockerfile).contains("org.opencontainers.image.title=", "org.opencontainers.image.version=");
    }

    @Test
    void shouldIgnoreBuildOutputButNothingTheBuildCopies() throws IOException {
        List<Pattern> ignored = new ArrayList<>();
        for (String line : Files.readAllLines(ROOT.resolve(".dockerignore"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                ignored.add(glob(line.trim()));
            }
        }
        List<String> copied = new ArrayList<>();
        Matcher copy = COPY.matcher(Files.readString(DOCKERFILE));
        while (copy.find()) {
            String[] paths = copy.group(1).trim().split("\\s+");
            for (int i = 0; i < paths.length - 1; i++) {
                copied.add(paths[i]);
            }
        }

        assertThat(copied).contains("pom.xml", "config", "processor");
        for (String source : copied) {
            assertThat(ignored).as("%s is copied by the Dockerfile", source).noneMatch(p -> p.matcher(source).matches());
        }
        assertThat(ignored).anyMatch(p -> p.matcher("processor/server/target").matches())
            .anyMatch(p -> p.matcher(".git").matches());
    }

    /** A {@code .dockerignore} pattern as a regular expression over a path and everything under it. */
    private static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex + "(/.*)?");
    }
}
