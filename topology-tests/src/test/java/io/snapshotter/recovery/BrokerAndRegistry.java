package io.snapshotter.recovery;

import io.snapshotter.embedded.KafkaBrokerProcess;
import io.snapshotter.registry.ApicurioRegistry;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A Kafka broker process and an Apicurio registry process, started side by side (each takes a few
 * seconds of mostly waiting) and stopped together.
 */
record BrokerAndRegistry(KafkaBrokerProcess kafka, ApicurioRegistry registry) implements AutoCloseable {

    static BrokerAndRegistry start(Path brokerDir) throws Exception {
        long start = System.nanoTime();
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
            kafka = KafkaBrokerProcess.start(brokerDir);
            System.out.printf("Kafka broker process up in %d ms%n", (System.nanoTime() - start) / 1_000_000);
        } catch (Exception e) {
            registry.thenAccept(ApicurioRegistry::close);
            throw e;
        }
        try {
            return new BrokerAndRegistry(kafka, registry.join());
        } catch (CompletionException e) {
            kafka.close();
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            registry.close();
        } finally {
            kafka.close();
        }
    }
}
