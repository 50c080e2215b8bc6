package io.snapshotter.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Captures what the {@value AuditLog#LOGGER} logger writes, through SLF4J and log4j as in production. */
final class CapturedAudit extends AbstractAppender implements BeforeEachCallback, AfterEachCallback {

    private final List<String> lines = new CopyOnWriteArrayList<>();

    CapturedAudit() {
        super("captured-audit", null, null, true, Property.EMPTY_ARRAY);
    }

    @Override
    public void append(LogEvent event) {
        lines.add(event.getMessage().getFormattedMessage());
    }

    /** Every audit entry written so far, parsed. */
    List<JsonNode> entries() {
        return lines.stream().map(line -> {
            try {
                return Json.MAPPER.readTree(line);
            } catch (IOException e) {
                throw new UncheckedIOException("not a JSON audit line: " + line, e);
            }
        }).toList();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        start();
        ((Logger) LogManager.getLogger(AuditLog.LOGGER)).addAppender(this);
        Configurator.setLevel(AuditLog.LOGGER, Level.INFO);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        ((Logger) LogManager.getLogger(AuditLog.LOGGER)).removeAppender(this);
        stop();
    }
}
