package io.aem.demo.httpd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpRequestParserTest {

    record Head(HttpMethod method, String target, boolean http11, boolean keepAlive, long contentLength) {
    }

    static Head head(HttpRequestParser parser) {
        return new Head(parser.method(), parser.target(), parser.http11(), parser.keepAlive(), parser.contentLength());
    }

    /** Feeds the chunks in order; returns the heads parsed, and the error status last if one came (as a Head with target "ERROR <status>"). */
    static List<Head> feed(HttpRequestParser parser, List<byte[]> chunks) {
        List<Head> heads = new ArrayList<>();
        for (byte[] chunk : chunks) {
            ByteBuffer buffer = ByteBuffer.wrap(chunk);
            while (true) {
                ParseResult result = parser.parse(buffer);
                if (result == ParseResult.REQUEST) {
                    heads.add(head(parser));
                } else if (result == ParseResult.ERROR) {
                    heads.add(new Head(HttpMethod.OTHER, "ERROR " + parser.errorStatus(), false, false, 0));
                    return heads;
                } else {
                    break;
                }
            }
        }
        return heads;
    }

    static List<Head> feed(String text) {
        return feed(new HttpRequestParser(), List.of(text.getBytes(StandardCharsets.ISO_8859_1)));
    }

    static int errorOf(String text) {
        HttpRequestParser parser = new HttpRequestParser();
        ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
        ParseResult result;
        do {
            result = parser.parse(buffer);
        } while (result == ParseResult.REQUEST);
        return result == ParseResult.ERROR ? parser.errorStatus() : 0;
    }

    @Test
    void parsesAGetWithItsHeaders() {
        HttpRequestParser parser = new HttpRequestParser();
        ByteBuffer buffer = ByteBuffer.wrap("GET /hello HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(parser.parse(buffer)).isEqualTo(ParseResult.REQUEST);
        assertThat(buffer.hasRemaining()).isFalse();
        assertThat(parser.method()).isEqualTo(HttpMethod.GET);
        assertThat(parser.targetEquals(HttpResponses.HELLO_TARGET)).isTrue();
        assertThat(parser.target()).isEqualTo("/hello");
        assertThat(parser.http11()).isTrue();
        assertThat(parser.keepAlive()).isTrue();
        assertThat(parser.parse(buffer)).isEqualTo(ParseResult.NEED_MORE);
    }

    @Test
    void severalPipelinedRequestsInOneChunkComeOneAtATimeInOrder() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            text.append("GET /r").append(i).append(" HTTP/1.1\r\nHost: h\r\n\r\n");
        }
        List<Head> heads = feed(text.toString());
        assertThat(heads).extracting(Head::target).containsExactly(
                "/r0", "/r1", "/r2", "/r3", "/r4", "/r5", "/r6", "/r7", "/r8", "/r9");
    }

    @Test
    void aRequestSplitByteByByteParsesAsWhole() {
        String text = "HEAD /a%20b?q=1 HTTP/1.1\r\nhost: h\r\nCONNECTION: Keep-Alive, Close\r\n\r\n";
        List<byte[]> chunks = new ArrayList<>();
        for (byte b : text.getBytes(StandardCharsets.US_ASCII)) {
            chunks.add(new byte[] { b });
        }
        assertThat(feed(new HttpRequestParser(), chunks))
                .containsExactly(new Head(HttpMethod.HEAD, "/a%20b?q=1", true, false, 0));
    }

    @Test
    void keepAliveFollowsVersionAndConnectionHeader() {
        assertThat(feed("GET / HTTP/1.0\r\n\r\n").get(0).keepAlive()).isFalse();
        assertThat(feed("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").get(0).keepAlive()).isTrue();
        assertThat(feed("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n").get(0).keepAlive()).isFalse();
        assertThat(feed("GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\n\r\n").get(0).keepAlive()).isTrue();
    }

    @Test
    void otherMethodsParseAsOther() {
        assertThat(feed("DELETE /x HTTP/1.1\r\nHost: h\r\n\r\n").get(0).method()).isEqualTo(HttpMethod.OTHER);
        assertThat(feed("GETS /x HTTP/1.1\r\nHost: h\r\n\r\n").get(0).method()).isEqualTo(HttpMethod.OTHER);
    }

    @Test
    void aContentLengthBodyIsSkippedBeforeTheNextRequest() {
        List<Head> heads = feed("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nGET /bGET /c HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(heads).extracting(Head::target).containsExactly("/a", "/c");
        assertThat(heads.get(0).contentLength()).isEqualTo(5);
    }

    @Test
    void limitsGiveTheirStatuses() {
        assertThat(errorOf("GET /" + "a".repeat(HttpRequestParser.MAX_REQUEST_LINE) + " HTTP/1.1\r\n\r\n")).isEqualTo(414);
        assertThat(errorOf("GET / HTTP/1.1\r\nHost: h\r\nX: " + "a".repeat(HttpRequestParser.MAX_HEADER_BYTES) + "\r\n\r\n")).isEqualTo(431);
        assertThat(errorOf("GET / HTTP/1.1\r\nHost: h\r\n" + "X: y\r\n".repeat(HttpRequestParser.MAX_HEADERS) + "\r\n")).isEqualTo(431);
        assertThat(errorOf("GET / HTTP/1.1\r\nHost: h\r\n" + "X: y\r\n".repeat(HttpRequestParser.MAX_HEADERS - 1) + "\r\n")).isZero();
        assertThat(errorOf("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n")).isEqualTo(413);
        assertThat(errorOf("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")).isEqualTo(501);
    }

    @Test
    void malformedRequestsGive400() {
        assertThat(errorOf("GET / HTTP/1.1\r\n\r\n")).as("HTTP/1.1 without Host").isEqualTo(400);
        assertThat(errorOf("GET / HTTP/2.0\r\nHost: h\r\n\r\n")).isEqualTo(400);
        assertThat(errorOf("GET /\r\n\r\n")).isEqualTo(400);
        assertThat(errorOf(" / HTTP/1.1\r\nHost: h\r\n\r\n")).isEqualTo(400);
        assertThat(errorOf("GET  / HTTP/1.1\r\nHost: h\r\n\r\n")).isEqualTo(400);
        assertThat(errorOf("G(T / HTTP/1.1\r\nHost: h\r\n\r\n")).isEqualTo(400);
        assertThat(errorOf("GET / HTTP/1.1\r\nHost : h\r\n\r\n")).isEqualTo(400);
        assertThat(errorOf("GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n")).isEqualTo(400);
        assertThat(errorOf("GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n")).isEqualTo(400);
        assertThat(errorOf("GET / HTTP/1.1\r\nHost: h\u0000\r\n\r\n")).isEqualTo(400);
        assertThat(errorOf("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\n")).isEqualTo(400);
        assertThat(errorOf("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")).isEqualTo(400);
        assertThat(errorOf("GET /\u0001 HTTP/1.1\r\nHost: h\r\n\r\n")).isEqualTo(400);
    }

    @Test
    void anErrorIsSticky() {
        HttpRequestParser parser = new HttpRequestParser();
        assertThat(parser.parse(ByteBuffer.wrap("BAD\u0000".getBytes(StandardCharsets.ISO_8859_1)))).isEqualTo(ParseResult.ERROR);
        ByteBuffer next = ByteBuffer.wrap("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(parser.parse(next)).isEqualTo(ParseResult.ERROR);
        assertThat(next.hasRemaining()).isFalse();
    }
}
