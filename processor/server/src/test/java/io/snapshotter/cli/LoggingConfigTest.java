package io.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.config.ConfigException;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.appender.routing.Route;
import org.apache.logging.log4j.core.appender.routing.RoutingAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationFactory;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The logging configuration the jar carries, as its switches set it up: text or one JSON object per
 * line, the audit trail to its file or to stdout; a switch of another value stops the start.
 */
class LoggingConfigTest {

    private LoggerContext context;

    @AfterEach
    void stop() {
        System.clearProperty("log.format");
        System.clearProperty("audit.log");
        if (context != null) {
            context.stop();
        }
    }

    @Test
    void shouldLogTextByDefaultAndOneJsonObjectPerLineWhenAsked() throws Exception {
        assertThat(builtIn().getRootLogger().getAppenders()).containsOnlyKeys("text");

        System.setProperty("log.format", "json");
        Configuration json = builtIn();

        assertThat(json.getRootLogger().getAppenders()).containsOnlyKeys("json");
        String line = json.getAppender("json").getLayout().toSerializable(Log4jLogEvent.newBuilder()
            .setLoggerName("io.snapshotter.Test").setLevel(Level.WARN).setMessage(new SimpleMessage("a \"quoted\" word"))
            .build()).toString();
        JsonNode event = new ObjectMapper().readTree(line);
        assertThat(line).endsWith("\n").doesNotContain("\n{");
        assertThat(event.path("message").asText()).isEqualTo("a \"quoted\" word");
        assertThat(event.path("log.level").asText()).isEqualTo("WARN");
        assertThat(event.path("log.logger").asText()).isEqualTo("io.snapshotter.Test");
    }

    @Test
    void shouldSendTheAuditTrailToItsFileOrToStdoutWithoutMakingTheFile() throws Exception {
        RoutingAppender byDefault = (RoutingAppender) builtIn().getAppender("audit");
        assertThat(routeOf(byDefault)).isEqualTo("file");
        assertThat(route(byDefault, "file").getNode().getChildren()).extracting(node -> node.getName()).containsExactly("RollingFile");

        System.setProperty("audit.log", "stdout");
        Configuration configuration = builtIn();
        RoutingAppender toStdout = (RoutingAppender) configuration.getAppender("audit");
        context.getLogger("audit").info("{\"action\":\"test\"}");

        Appender stdout = configuration.getAppender(route(toStdout, "stdout").getAppenderRef());

        assertThat(routeOf(toStdout)).isEqualTo("stdout");
        assertThat(stdout).isInstanceOf(ConsoleAppender.class);
        assertThat(toStdout.getAppenders()).as("appenders made by routes: no audit file").isEmpty();
    }

    /** The key of the route an audit line takes. */
    private static String routeOf(RoutingAppender appender) {
        return appender.getRoutes().getPattern(Log4jLogEvent.newBuilder().setLoggerName("audit")
            .setMessage(new SimpleMessage("{}")).build(), new ConcurrentHashMap<>());
    }

    private static Route route(RoutingAppender appender, String key) {
        return Arrays.stream(appender.getRoutes().getRoutes()).filter(route -> key.equals(route.getKey())).findFirst()
            .orElseThrow();
    }

    @Test
    void shouldRefuseASwitchOfAnotherValueNamingIt() {
        assertThatThrownBy(() -> Launcher.useShippedLogging(Map.of("LOG_FORMAT", "jsn")))
            .isInstanceOf(ConfigException.class)
            .hasMessage("Logging switch LOG_FORMAT (or -Dlog.format) is 'jsn', none of [text, json]");
        assertThatThrownBy(() -> Launcher.useShippedLogging(Map.of("AUDIT_LOG", "syslog")))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("AUDIT_LOG");
    }

    /** The jar's configuration in a logger context of its own, with the switches as set now. */
    private Configuration builtIn() throws Exception {
        if (context != null) {
            context.stop();
        }
        URI uri = Launcher.class.getResource(Launcher.BUILT_IN_LOGGING).toURI();
        context = new LoggerContext("logging-test");
        Configuration configuration = ConfigurationFactory.getInstance()
            .getConfiguration(context, ConfigurationSource.fromUri(uri));
        context.start(configuration);
        return configuration;
    }
}
