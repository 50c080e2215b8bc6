package io.snapshotter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapshotter.http.ApiFixture.Api;
import io.snapshotter.http.ApiFixture.FakeQueries;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client that takes too long to send its request loses its connection, instead of holding one of
 * the server's threads for as long as it likes. In a JVM of its own: the JDK server reads its limits
 * when the first server of the JVM is created, which must be {@link ApiServer}'s.
 */
class SlowClientInFreshJvmTest {

    @RegisterExtension
    final ApiFixture fixture = new ApiFixture();

    @Test
    void shouldCloseTheConnectionOfAClientThatNeverFinishesItsRequest() throws Exception {
        Api api = fixture.start(new FakeQueries());
        try (Socket slow = new Socket(api.self().host(), api.self().port())) {
            slow.setSoTimeout((int) (ApiServer.MAX_REQUEST_SECONDS_DEFAULT + 30) * 1000);
            OutputStream out = slow.getOutputStream();
            out.write("GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            out.flush();

            InputStream in = slow.getInputStream();

            assertThat(in.read()).as("the server closed the connection without an answer").isEqualTo(-1);
        }
        assertThat(fixture.get(api, "/health").statusCode()).isEqualTo(200);
    }
}
