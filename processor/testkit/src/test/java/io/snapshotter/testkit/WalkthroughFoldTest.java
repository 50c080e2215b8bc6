package io.snapshotter.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapshotter.fold.AggregateFold;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import org.apache.avro.Schema;
import org.apache.avro.compiler.specific.SpecificCompiler;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds the README's "Adding an aggregate type" walk-through, whose files are
 * {@code src/test/resources/walkthrough/} (a project of its own: pom, schemas, fold, services file,
 * test), the way its pom does, and runs it: the schemas generated as {@code avro-maven-plugin} does
 * ({@code stringType=String}), the fold compiled against the api classes and Avro alone (what a
 * {@code provided} dependency on {@code snapshotter-api} gives), the walk-through's own JUnit test
 * compiled against the test class path, and all of it loaded by a class loader of its own, as a
 * plugin jar would be.
 */
class WalkthroughFoldTest {

    private static final String FOLD = "com.example.counter.CounterFold";

    @TempDir
    static Path work;

    private static Path walkthrough;
    private static List<Path> apiClassPath;
    private static Compilation foldCompilation;
    private static Compilation testCompilation;
    private static URLClassLoader loader;

    private record Compilation(boolean success, List<Diagnostic<? extends JavaFileObject>> diagnostics) {
    }

    @BeforeAll
    static void buildTheWalkthrough() throws Exception {
        walkthrough = Path.of(WalkthroughFoldTest.class.getResource("/walkthrough/pom.xml").toURI()).getParent();
        Path generated = Files.createDirectories(work.resolve("generated-sources"));
        Path classes = Files.createDirectories(work.resolve("classes"));
        Path testClasses = Files.createDirectories(work.resolve("test-classes"));

        generateAvroClasses(walkthrough.resolve("src/main/avro"), generated);
        apiClassPath = List.of(codeSource(AggregateFold.class), codeSource(Schema.class));
        List<Path> foldSources = new ArrayList<>(javaFiles(generated));
        foldSources.addAll(javaFiles(walkthrough.resolve("src/main/java")));
        foldCompilation = compile(foldSources, apiClassPath, classes);
        copyTree(walkthrough.resolve("src/main/resources"), classes);

        List<Path> testClassPath = new ArrayList<>(testClassPath());
        testClassPath.add(0, classes);
        testCompilation = compile(javaFiles(walkthrough.resolve("src/test/java")), testClassPath, testClasses);

        loader = new URLClassLoader(new URL[] {classes.toUri().toURL(), testClasses.toUri().toURL()},
            WalkthroughFoldTest.class.getClassLoader());
    }

    @AfterAll
    static void closeLoader() throws IOException {
        if (loader != null) {
            loader.close();
        }
    }

    @Test
    void shouldCompileTheFoldAgainstTheApiAndAvroAlone() {
        assertThat(foldCompilation.diagnostics()).isEmpty();
        assertThat(foldCompilation.success()).isTrue();
        assertThat(apiClassPath).hasSize(2).allSatisfy(entry -> assertThat(entry.toString().toLowerCase(Locale.ROOT))
            .doesNotContain("kafka", "aws", "micrometer", "snapshotter-core", "processor/core"));
        assertThat(apiClassPath.get(0)).satisfiesAnyOf(
            p -> assertThat(p.toString()).contains("api" + File.separator + "target" + File.separator + "classes"),
            p -> assertThat(p.getFileName().toString()).startsWith("snapshotter-api"));
    }

    @Test
    void shouldNotCompileAFoldThatUsesMoreThanTheApi() throws IOException {
        Path source = Files.createDirectories(work.resolve("leaky/com/example/counter")).resolve("LeakyFold.java");
        Files.writeString(source, """
            package com.example.counter;

            final class LeakyFold {
                Object key = org.apache.kafka.common.utils.Bytes.wrap(new byte[0]);
            }
            """);

        Compilation leaky = compile(List.of(source), apiClassPath,
            Files.createDirectories(work.resolve("leaky-classes")));

        assertThat(leaky.success()).isFalse();
        assertThat(leaky.diagnostics()).anySatisfy(d -> assertThat(d.getKind()).isEqualTo(Diagnostic.Kind.ERROR));
    }

    @Test
    void shouldFoldTheWalkthroughEventsThroughTheDriver() throws Exception {
        AggregateFold<?> fold = ServiceLoader.load(AggregateFold.class, loader).stream()
            .filter(p -> p.type().getClassLoader() == loader)
            .map(ServiceLoader.Provider::get)
            .reduce((a, b) -> {
                throw new AssertionError("more than one fold in the walk-through: " + a + ", " + b);
            })
            .orElseThrow(() -> new AssertionError("the services file lists no fold of the walk-through"));
        assertThat(fold.getClass().getName()).isEqualTo(FOLD);
        assertThat(fold.aggregateType()).isEqualTo("Counter");
        Constructor<?> incremented = loader.loadClass("com.example.counter.CounterIncremented")
            .getConstructor(Integer.class);

        try (FoldTestDriver driver = FoldTestDriver.forFolds(fold)) {
            driver.send("counter-1", (SpecificRecord) incremented.newInstance(5));
            driver.send("counter-1", (SpecificRecord) incremented.newInstance(7));

            SpecificRecord state = driver.state("counter-1", fold.stateType());
            assertThat(state.getClass().getName()).isEqualTo("com.example.counter.CounterState");
            assertThat(((GenericRecord) state).get("total")).isEqualTo(12L);
            assertThat(driver.version("counter-1")).isEqualTo(2);
            assertThat(driver.deadLetters()).isEmpty();
        }
    }

    @Test
    void shouldPassTheWalkthroughsOwnTest() throws Exception {
        assertThat(testCompilation.diagnostics()).isEmpty();
        Class<?> testClass = loader.loadClass("com.example.counter.CounterFoldTest");
        Constructor<?> constructor = testClass.getDeclaredConstructor();
        constructor.setAccessible(true);
        List<String> passed = new ArrayList<>();
        for (Method method : testClass.getDeclaredMethods()) {
            if (!method.isAnnotationPresent(Test.class)) {
                continue;
            }
            method.setAccessible(true);
            try {
                method.invoke(constructor.newInstance());
            } catch (InvocationTargetException e) {
                throw new AssertionError("the walk-through's " + method.getName() + " failed", e.getCause());
            }
            passed.add(method.getName());
        }
        assertThat(passed).containsExactlyInAnyOrder(
            "shouldAddUpTheIncrements", "shouldSnapshotEveryTwoEvents", "shouldDeadLetterAnIncrementBelowOne");
    }

    // ---- the build ----

    /** What avro-maven-plugin's schema goal does with {@code stringType=String}. */
    private static void generateAvroClasses(Path schemaDir, Path out) throws IOException {
        Schema.Parser parser = new Schema.Parser();
        for (Path schemaFile : files(schemaDir, ".avsc")) {
            SpecificCompiler compiler = new SpecificCompiler(parser.parse(schemaFile.toFile()));
            compiler.setStringType(GenericData.StringType.String);
            compiler.compileToDestination(schemaFile.toFile(), out.toFile());
        }
    }

    private static Compilation compile(List<Path> sources, List<Path> classPath, Path out) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, UTF_8)) {
            files.setLocationFromPaths(StandardLocation.CLASS_PATH, classPath);
            files.setLocationFromPaths(StandardLocation.CLASS_OUTPUT, List.of(out));
            boolean success = javac.getTask(null, files, diagnostics, List.of("--release", "17", "-proc:none"), null,
                files.getJavaFileObjectsFromPaths(sources)).call();
            return new Compilation(success, diagnostics.getDiagnostics());
        }
    }

    /** The directory or jar a class was loaded from. */
    private static Path codeSource(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** This test's class path as Maven built it (surefire's, not its booter jar's). */
    private static List<Path> testClassPath() {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.stream(classPath.split(File.pathSeparator)).filter(s -> !s.isBlank()).map(Path::of).toList();
    }

    private static List<Path> javaFiles(Path dir) throws IOException {
        return files(dir, ".java");
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
