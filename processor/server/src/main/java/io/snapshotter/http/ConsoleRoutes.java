package io.snapshotter.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.snapshotter.console.Assignments;
import io.snapshotter.console.ConsoleSources;
import io.snapshotter.console.RecentActivity;
import io.snapshotter.query.Instance;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * The web console: {@code GET /} (the page), {@code GET /console/{asset}} (its script and style,
 * served from the jar: no CDN, works offline) and {@code GET /console/status} (what the page shows of
 * this instance, in one small JSON: the instances and their partitions, this one's tasks and lag, the
 * fold's counts, the snapshot writer, the recent snapshots and dead letters). Everything else the page
 * shows comes from the API's own endpoints; its admin buttons call the admin endpoints with the token
 * typed into the page, which never leaves it.
 */
final class ConsoleRoutes {

    static final String PAGE = "/";
    static final String STATUS = "/console/status";
    static final String ASSET = "/console/{asset}";
    /** Scripts and styles from this server only, no inline ones; fetches to this server only; never framed. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
        + "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final String RESOURCES = "/console/";

    private final Instance self;
    private final ConsoleSources sources;
    private final Clock clock;
    private final ApiResponse page;
    private final Map<String, ApiResponse> assets;

    ConsoleRoutes(Instance self, ConsoleSources sources, Clock clock) {
        this.self = self;
        this.sources = sources;
        this.clock = clock;
        this.page = resource("index.html", "text/html; charset=utf-8");
        this.assets = Map.of(
            "console.js", resource("console.js", "text/javascript; charset=utf-8"),
            "console.css", resource("console.css", "text/css; charset=utf-8"));
    }

    ApiResponse page(ApiRequest request) {
        return page;
    }

    ApiResponse asset(ApiRequest request) {
        String name = request.pathParam("asset");
        ApiResponse asset = assets.get(name);
        return asset != null ? asset : ApiResponse.problem(Problem.ENDPOINT_NOT_FOUND, "no console asset '" + name + "'");
    }

    ApiResponse status(ApiRequest request) {
        ObjectNode json = Json.object()
            .put("instance", self.toString())
            .put("state", sources.assignments().state())
            .put("at", clock.instant().toString());
        instances(json.putArray("instances"));
        tasks(json.putArray("tasks"));
        counts(json.putObject("counts"), sources.activity().counts());
        if (sources.writer().isPresent()) {
            json.putObject("snapshotWriter")
                .put("alive", sources.writer().get().get().alive())
                .put("lag", sources.writerLag().map(LongSupplier::getAsLong).orElse(null));
        } else {
            json.putNull("snapshotWriter");
        }
        recent(json.putArray("recentSnapshots"), json.putArray("recentDeadLetters"));
        return ApiResponse.json(200, json);
    }

    private void instances(ArrayNode into) {
        for (Assignments.Member member : sources.assignments().members()) {
            ObjectNode node = into.addObject()
                .put("instance", member.instance().toString())
                .put("self", member.instance().equals(self));
            partitions(node.putObject("active"), member.active());
            partitions(node.putObject("standby"), member.standby());
        }
    }

    private void tasks(ArrayNode into) {
        for (Assignments.Task task : sources.assignments().localTasks()) {
            ObjectNode node = into.addObject().put("id", task.id()).put("role", task.active() ? "active" : "standby");
            ArrayNode inputs = node.putArray("inputs");
            task.inputs().forEach(input -> inputs.addObject()
                .put("topic", input.partition().topic())
                .put("partition", input.partition().partition())
                .put("lag", input.lag()));
            node.put("storeLag", task.storeLag());
        }
    }

    private void recent(ArrayNode snapshots, ArrayNode deadLetters) {
        sources.activity().recentSnapshots().forEach(s -> snapshots.addObject()
            .put("aggregateId", s.aggregateId())
            .put("aggregateType", s.aggregateType())
            .put("version", s.version())
            .put("reason", s.reason().name())
            .put("storedBytes", s.storedBytes())
            .put("checksum", s.checksum())
            .put("at", s.at().toString()));
        sources.activity().recentDeadLetters().forEach(d -> deadLetters.addObject()
            .put("key", d.key())
            .put("reason", d.reason().name())
            .put("error", d.error())
            .put("source", d.source())
            .put("at", d.at().toString()));
    }

    /** Partitions as {@code {"topic": [0, 1, ...]}}. */
    private static void partitions(ObjectNode into, List<Assignments.Partition> partitions) {
        partitions.stream()
            .collect(Collectors.groupingBy(Assignments.Partition::topic, TreeMap::new,
                Collectors.mapping(Assignments.Partition::partition, Collectors.toList())))
            .forEach((topic, numbers) -> {
                ArrayNode array = into.putArray(topic);
                numbers.forEach(array::add);
            });
    }

    private static void counts(ObjectNode into, RecentActivity.Counts counts) {
        into.put("eventsFolded", counts.eventsFolded());
        ObjectNode snapshots = into.putObject("snapshots");
        counts.snapshots().forEach((reason, count) -> snapshots.put(reason.name(), count));
        ObjectNode deadLetters = into.putObject("deadLetters");
        counts.deadLetters().forEach((reason, count) -> deadLetters.put(reason.name(), count));
    }

    /** A console file from the jar, with the headers that keep the page to itself. */
    private static ApiResponse resource(String name, String contentType) {
        try (InputStream in = ConsoleRoutes.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("the console's " + name + " is not on the class path (" + RESOURCES + ")");
            }
            return ApiResponse.text(200, new String(in.readAllBytes(), StandardCharsets.UTF_8), contentType)
                .withHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .withHeader("X-Content-Type-Options", "nosniff")
                .withHeader("Referrer-Policy", "no-referrer")
                .withHeader("Cache-Control", "no-cache");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the console's " + name, e);
        }
    }
}
