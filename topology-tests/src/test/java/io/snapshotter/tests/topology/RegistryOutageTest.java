package io.snapshotter.tests.topology;

import static io.snapshotter.tests.topology.TopologyFixture.ITEM;
import static io.snapshotter.tests.topology.TopologyFixture.START;
import static io.snapshotter.tests.topology.TopologyFixture.T0;
import static io.snapshotter.tests.topology.TopologyFixture.referenceFold;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapshotter.domain.inventory.InventoryItemFold;
import io.snapshotter.domain.inventory.state.InventoryItemState;
import io.snapshotter.fold.DomainEvent;
import io.snapshotter.registry.RegistryMisconfiguredException;
import io.snapshotter.registry.RegistryUnavailableException;
import io.snapshotter.registry.SchemaRegistryClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A registry that cannot be reached, or answers like something else than the registry API, is a
 * dependency being down, not bad input: the record waits for it and folds once it answers; nothing
 * is dead-lettered and the stream thread does not fail.
 */
class RegistryOutageTest {

    @RegisterExtension
    final TopologyFixture.Factory fixtures = new TopologyFixture.Factory();

    @Test
    void shouldWaitForAnUnreachableRegistryAndFoldOnceItAnswers() {
        AtomicInteger failuresLeft = new AtomicInteger(4);
        TopologyFixture fixture = fixtures.start(Map.of(), START, registry -> new FailingFirst(registry, failuresLeft,
            () -> new RegistryUnavailableException("connection refused")));

        List<DomainEvent> sent = fixture.sendEvents(ITEM, "item-1", 1, 3, T0);

        assertThat(failuresLeft).hasValue(0);
        assertThat(fixture.readDeadLetters()).isEmpty();
        assertThat(fixture.stateOf(fixture.aggregate("item-1"), InventoryItemState.class))
            .isEqualTo(referenceFold(new InventoryItemFold(), sent));
    }

    @Test
    void shouldWaitForAMisconfiguredRegistryRatherThanDeadLetterEverything() {
        AtomicInteger failuresLeft = new AtomicInteger(2);
        TopologyFixture fixture = fixtures.start(Map.of(), START, registry -> new FailingFirst(registry, failuresLeft,
            () -> new RegistryMisconfiguredException("HTTP 404 without a Confluent error_code")));

        fixture.sendEvents(ITEM, "item-1", 1, 2, T0);

        assertThat(failuresLeft).hasValue(0);
        assertThat(fixture.readDeadLetters()).isEmpty();
        assertThat(fixture.aggregate("item-1").getVersion()).isEqualTo(2);
    }

    /** The registry, whose schema look-ups fail the first few times. */
    private record FailingFirst(SchemaRegistryClient registry, AtomicInteger failuresLeft,
                                Supplier<RuntimeException> failure) implements SchemaRegistryClient {

        @Override
        public Schema schemaById(int id) {
            if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw failure.get();
            }
            return registry.schemaById(id);
        }

        @Override
        public int register(String subject, Schema schema) {
            return registry.register(subject, schema);
        }

        @Override
        public int idOf(String subject, Schema schema) {
            return registry.idOf(subject, schema);
        }

        @Override
        public RegisteredSchema latest(String subject) {
            return registry.latest(subject);
        }

        @Override
        public RegisteredSchema version(String subject, int version) {
            return registry.version(subject, version);
        }

        @Override
        public boolean isCompatible(String subject, Schema schema) {
            return registry.isCompatible(subject, schema);
        }

        @Override
        public void setCompatibility(String subject, Compatibility level) {
            registry.setCompatibility(subject, level);
        }

        @Override
        public void check() {
            registry.check();
        }
    }
}
