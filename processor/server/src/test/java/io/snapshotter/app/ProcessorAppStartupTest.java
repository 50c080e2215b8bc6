package io.snapshotter.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.metrics.ProcessorMeters;
import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.topology.FoldRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.CloseOptions;
import org.junit.jupiter.api.Test;

/** Checks that need the folds, made where they are known: before any topic or Kafka Streams exists; how it closes. */
class ProcessorAppStartupTest {

    @Test
    void shouldLeaveTheGroupOnCloseUnlessAStaticMemberThatARollingRestartBringsBack() {
        ProcessorConfig dynamic = new ProcessorConfig(Map.of("kafka.bootstrap.servers", "localhost:1"));
        ProcessorConfig staticMember = new ProcessorConfig(Map.of("kafka.bootstrap.servers", "localhost:1",
            "kafka.group.instance.id", "snapshotter-0"));

        assertThat(ProcessorApp.membershipOnClose(dynamic.streamsProperties()))
            .isEqualTo(CloseOptions.GroupMembershipOperation.LEAVE_GROUP);
        assertThat(ProcessorApp.membershipOnClose(staticMember.streamsProperties()))
            .isEqualTo(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP);
    }

    @Test
    void shouldRefuseAPortAnotherProcessHasNamingItBeforeTouchingKafka() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ProcessorConfig config = new ProcessorConfig(Map.of("kafka.bootstrap.servers", "localhost:1",
                "http.host", "127.0.0.1", "http.port", Integer.toString(taken.getLocalPort())));

            assertThatThrownBy(() -> ProcessorApp.start(config, new InMemorySchemaRegistry(), FoldRegistry.fromClassPath(),
                    ProcessorMeters.newRegistry(config.applicationId())))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Invalid value " + taken.getLocalPort() + " for configuration http.port: cannot "
                    + "listen on 127.0.0.1:" + taken.getLocalPort())
                .hasMessageContaining("another process has the port");
        }
    }

    @Test
    void shouldRefuseAPerTypeKeyOfATypeNoFoldHasBeforeTouchingKafka() {
        // no broker listens there: reaching Kafka would fail differently
        ProcessorConfig config = new ProcessorConfig(Map.of("kafka.bootstrap.servers", "localhost:1",
            "aggregate.BankAcount.snapshot.every.events", "10"));
        FoldRegistry folds = FoldRegistry.fromClassPath(); // the inventory sample: InventoryItem, Warehouse

        assertThatThrownBy(() -> ProcessorApp.start(config, new InMemorySchemaRegistry(), folds,
                ProcessorMeters.newRegistry(config.applicationId())))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("'aggregate.BankAcount.snapshot.every.events'")
            .hasMessageContaining("[InventoryItem, Warehouse]");
    }
}
