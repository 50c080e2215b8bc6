package io.snapshotter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapshotter.query.Instance;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpSettingsTest {

    private static HttpSettings settings(String... keyValues) {
        Map<String, String> values = new HashMap<>();
        values.put("kafka.bootstrap.servers", "localhost:9092");
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put(keyValues[i], keyValues[i + 1]);
        }
        return HttpSettings.from(values);
    }

    @Test
    void shouldServeOnPort8080OfEveryAddressWithAdminOffByDefault() {
        HttpSettings settings = settings();

        assertThat(settings.host()).isEqualTo("0.0.0.0");
        assertThat(settings.port()).isEqualTo(8080);
        assertThat(settings.adminToken()).isEmpty();
    }

    @Test
    void shouldAdvertiseTheBoundHostAndPortUnlessTold() {
        assertThat(settings("http.host", "10.1.2.3").advertised(8080)).isEqualTo(new Instance("10.1.2.3", 8080));
        assertThat(settings("http.host", "10.1.2.3", "http.advertised.host", "processor-1", "http.advertised.port", "18080")
            .advertised(8080)).isEqualTo(new Instance("processor-1", 18080));
        assertThat(settings().advertised(8080).host()).isNotEqualTo("0.0.0.0");
    }

    @Test
    void shouldTreatAnEmptyAdminTokenAsNone() {
        assertThat(settings("http.admin.token", "").adminToken()).isEmpty();
        assertThat(settings("http.admin.token", "t0k3n").adminToken()).hasValue("t0k3n");
        assertThat(settings("http.admin.token", "t0k3n").toString()).doesNotContain("t0k3n");
    }
}
