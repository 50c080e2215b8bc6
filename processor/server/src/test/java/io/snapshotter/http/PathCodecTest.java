package io.snapshotter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PathCodecTest {

    @Test
    void shouldDecodePercentEscapesAsUtf8AndKeepPlusAsPlus() {
        assertThat(PathCodec.decode("order%2F42%20%C3%BC+x")).isEqualTo("order/42 ü+x");
    }

    @Test
    void shouldRejectMalformedEscapesAndBytesThatAreNotUtf8() {
        assertThatThrownBy(() -> PathCodec.decode("item%ZZ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PathCodec.decode("item%4")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PathCodec.decode("item%C3%28")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldEncodeEverythingButUnreservedCharactersAndRoundTrip() {
        String id = "order/42 ü+x~._-";

        assertThat(PathCodec.encode(id)).isEqualTo("order%2F42%20%C3%BC%2Bx~._-");
        assertThat(PathCodec.decode(PathCodec.encode(id))).isEqualTo(id);
    }
}
