package io.snapshotter.deadletters;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prints dead letters, one line each (text or JSON), then how many there were by reason. The summary
 * counts every match, also those a limit leaves out.
 */
public final class DeadLetterListing {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintWriter out;
    private final boolean json;

    public DeadLetterListing(PrintWriter out, boolean json) {
        this.out = out;
        this.json = json;
    }

    public void print(DeadLetterLog.Read read, long limit) {
        List<DeadLetter> shown = read.matched().stream().limit(limit).toList();
        shown.forEach(letter -> out.println(json ? json(letter) : text(letter)));
        Map<String, Integer> byReason = new TreeMap<>();
        read.matched().forEach(letter -> byReason.merge(String.valueOf(letter.reason()), 1, Integer::sum));
        String more = shown.size() < read.matched().size()
            ? String.format("; showing the first %,d (--limit)", shown.size()) : "";
        if (json) {
            ObjectNode summary = JSON.createObjectNode();
            summary.put("matched", read.matched().size()).put("read", read.total()).put("shown", shown.size());
            byReason.forEach(summary.putObject("byReason")::put);
            out.println(write(JSON.createObjectNode().set("summary", summary)));
        } else {
            out.printf("%,d dead letters matched (of %,d read)%s%s%n", read.matched().size(), read.total(),
                byReason.isEmpty() ? "" : ": " + String.join(", ", byReason.entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue()).toList()), more);
        }
        out.flush();
    }

    private static String text(DeadLetter letter) {
        return String.join("  ", String.valueOf(letter.rejectedAt()), String.valueOf(letter.reason()),
            letter.aggregateId() == null ? "-" : letter.aggregateId(), letter.source(), letter.valueSize() + " B",
            letter.error() == null ? "" : letter.error().replaceAll("\\s+", " "));
    }

    private static String json(DeadLetter letter) {
        ObjectNode node = JSON.createObjectNode()
            .put("topic", letter.topic())
            .put("partition", letter.partition())
            .put("offset", letter.offset())
            .put("rejectedAt", letter.rejectedAt() == null ? null : letter.rejectedAt().toString())
            .put("reason", letter.reason())
            .put("aggregateId", letter.aggregateId())
            .put("sourceTopic", letter.sourceTopic())
            .put("sourcePartition", letter.sourcePartition())
            .put("sourceOffset", letter.sourceOffset())
            .put("valueBytes", letter.valueSize())
            .put("error", letter.error());
        return write(node);
    }

    private static String write(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write JSON: " + e.getMessage(), e);
        }
    }
}
