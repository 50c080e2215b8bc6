package io.snapshotter.tests.http;

import io.snapshotter.http.AvroJson;
/** What the HTTP API serves for an Avro value, for tests outside this package that compare its answers. */
public final class ServedJson {

    private ServedJson() {
    }

    /** The JSON text {@code GET /aggregates/{id}} serves as {@code state} for {@code avroValue}. */
    public static String of(Object avroValue) {
        return AvroJson.toJson(avroValue).toString();
    }
}
