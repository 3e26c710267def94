package io.aem.demo.httpd;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.demo.httpd.HttpRequestParserTest.Head;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class HttpRequestParserPropertyTest {

    @Provide
    Arbitrary<String> requests() {
        Arbitrary<String> method = Arbitraries.of("GET", "HEAD", "PUT", "OPTIONS");
        Arbitrary<String> path = Arbitraries.strings().withChars("abc/%.-_09").ofMaxLength(30).map(s -> "/" + s);
        Arbitrary<String> version = Arbitraries.of("HTTP/1.1", "HTTP/1.0");
        Arbitrary<String> connection = Arbitraries.of("", "Connection: close\r\n", "connection: Keep-Alive\r\n", "Connection: x, close\r\n");
        Arbitrary<String> other = Arbitraries.strings().withChars("abcXYZ -;=").ofMaxLength(20).map(v -> "X-Other: " + v + "\r\n");
        Arbitrary<Integer> body = Arbitraries.integers().between(0, 40);
        return Combinators.combine(method, path, version, connection, other, body).as((m, p, v, c, o, b) ->
                m + " " + p + " " + v + "\r\nHost: example\r\n" + o + c
                        + (b > 0 ? "Content-Length: " + b + "\r\n\r\n" + "x".repeat(b) : "\r\n"));
    }

    @Property(tries = 300)
    void aValidRequestSplitAtEveryPositionParsesTheSame(@ForAll("requests") String first, @ForAll("requests") String second) {
        byte[] bytes = (first + second).getBytes(StandardCharsets.ISO_8859_1);
        List<Head> whole = HttpRequestParserTest.feed(new HttpRequestParser(), List.of(bytes));
        assertThat(whole).hasSize(2);
        for (int split = 0; split <= bytes.length; split++) {
            List<byte[]> chunks = List.of(Arrays.copyOfRange(bytes, 0, split), Arrays.copyOfRange(bytes, split, bytes.length));
            assertThat(HttpRequestParserTest.feed(new HttpRequestParser(), chunks)).as("split at %d", split).isEqualTo(whole);
        }
    }

    @Property(tries = 2000)
    void arbitraryBytesNeverThrowOnlyGiveResults(@ForAll byte[] noise, @ForAll("requests") String prefix, @ForAll boolean withPrefix) {
        HttpRequestParser parser = new HttpRequestParser();
        List<byte[]> chunks = new ArrayList<>();
        if (withPrefix) {
            chunks.add(prefix.getBytes(StandardCharsets.ISO_8859_1));
        }
        chunks.add(noise);
        for (byte[] chunk : chunks) {
            ByteBuffer buffer = ByteBuffer.wrap(chunk);
            int guard = 0;
            ParseResult result;
            do {
                result = parser.parse(buffer);
                assertThat(++guard).isLessThanOrEqualTo(chunk.length + 1);
            } while (result == ParseResult.REQUEST);
            assertThat(buffer.hasRemaining()).isFalse();
            if (result == ParseResult.ERROR) {
                assertThat(parser.errorStatus()).isIn(400, 413, 414, 431, 501);
            }
        }
    }
}
