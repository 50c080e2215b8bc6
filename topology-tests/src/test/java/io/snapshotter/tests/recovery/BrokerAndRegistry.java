package io.snapshotter.tests.recovery;

import io.snapshotter.testkit.KafkaBrokerProcess;
import io.snapshotter.tests.registry.ApicurioRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A Kafka broker process and an Apicurio registry process for the recovery tests: started side by
 * side (each takes seconds of mostly class loading) once per test run, on the first test that asks
 * for one as a parameter ({@code @ExtendWith(BrokerAndRegistry.Shared.class)}), and stopped when the
 * run ends. Every test uses topics and subjects of its own; a test that kills the broker starts it
 * again before it ends.
 */
record BrokerAndRegistry(KafkaBrokerProcess kafka, ApicurioRegistry registry, Path dataDir)
        implements ExtensionContext.Store.CloseableResource {

    /** The broker JVM here: no C2 compiler, serial GC, for a quicker start on a busy 2-core machine. */
    private static final List<String> BROKER_JVM = List.of("-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    /** Resolves a {@link BrokerAndRegistry} parameter to the run's shared one. */
    static final class Shared implements ParameterResolver {

        private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Shared.class);

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == BrokerAndRegistry.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(BrokerAndRegistry.class, type -> {
                try {
                    return start();
                } catch (Exception e) {
                    throw new IllegalStateException("Cannot start the broker and the registry", e);
                }
            }, BrokerAndRegistry.class);
        }
    }

    static BrokerAndRegistry start() throws Exception {
        long start = System.nanoTime();
        Path dataDir = Files.createTempDirectory("recovery-broker-");
        CompletableFuture<ApicurioRegistry> registry = CompletableFuture.supplyAsync(() -> {
            try {
                ApicurioRegistry started = ApicurioRegistry.start();
                System.out.printf("Apicurio registry up in %d ms%n", (System.nanoTime() - start) / 1_000_000);
                return started;
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        KafkaBrokerProcess kafka;
        try {
            kafka = KafkaBrokerProcess.start(dataDir, BROKER_JVM);
            System.out.printf("Kafka broker process up in %d ms%n", (System.nanoTime() - start) / 1_000_000);
        } catch (Exception e) {
            registry.thenAccept(ApicurioRegistry::close);
            throw e;
        }
        try {
            return new BrokerAndRegistry(kafka, registry.join(), dataDir);
        } catch (CompletionException e) {
            kafka.close();
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    @Override
    public void close() throws InterruptedException, IOException {
        try {
            registry.close();
        } finally {
            kafka.close();
            try (var paths = Files.walk(dataDir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
