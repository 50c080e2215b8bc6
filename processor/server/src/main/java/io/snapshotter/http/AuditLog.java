package io.snapshotter.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail of admin calls: one JSON line per call, allowed or not, on the SLF4J logger
 * {@value #LOGGER} (its own file in {@code config/log4j2.properties}): when, who (the token's
 * principal, the caller's {@code X-Request-By}, the remote address), what (action and target) and
 * the outcome (status and detail).
 */
final class AuditLog {

    static final String LOGGER = "audit";
    private static final int MAX_TARGET_LENGTH = 300;

    private static final Logger AUDIT = LoggerFactory.getLogger(LOGGER);

    /**
     * Who made a call.
     *
     * @param principal the admin token's holder; null when the call did not authenticate
     * @param requestBy the caller's own name ({@code X-Request-By}), or null
     */
    record Caller(String principal, String requestBy, String remoteAddress) {
    }

    private final Clock clock;

    AuditLog(Clock clock) {
        this.clock = clock;
    }

    void record(Caller who, String action, String target, int status, String detail) {
        ObjectNode entry = Json.object().put("at", clock.instant().toString());
        entry.putObject("who")
            .put("principal", who.principal())
            .put("requestBy", who.requestBy())
            .put("remote", who.remoteAddress());
        entry.put("action", action)
            .put("target", target == null || target.length() <= MAX_TARGET_LENGTH ? target
                : target.substring(0, MAX_TARGET_LENGTH) + "...")
            .put("outcome", outcome(status))
            .put("status", status)
            .put("detail", detail);
        AUDIT.info(Json.text(entry));
    }

    /** accepted (202), done (other 2xx), denied (401, 403), rejected (other 4xx) or failed (5xx). */
    static String outcome(int status) {
        if (status == 202) {
            return "accepted";
        }
        if (status == 401 || status == 403) {
            return "denied";
        }
        return status < 300 ? "done" : status < 500 ? "rejected" : "failed";
    }
}
