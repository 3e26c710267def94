package io.aem.demo.httpd;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The server's pre-encoded responses: built once, written as read-only views (no encoding and no
 * allocation beyond the view per response).
 *
 * <p>The fixed {@code /hello} response is byte for byte what the benchmark's reactor-netty server
 * sends: {@code HTTP/1.1 200 OK}, {@code content-type: text/plain}, {@code content-length: 13},
 * body {@code Hello, World!}; neither server sends a {@code Date} or {@code Server} header, so the
 * two move the same bytes. A response that ends the connection adds {@code connection: close}; a
 * response to an HTTP/1.0 keep-alive request adds {@code connection: keep-alive}.
 *
 * <p>Error responses carry a short plain-text body naming the status. Thread-safe (immutable).
 */
public final class HttpResponses {
    /** The target of the fixed response. */
    static final byte[] HELLO_TARGET = ascii("/hello");
    private static final String HELLO_HEAD = "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 13\r\n";
    private static final String HELLO_BODY = "Hello, World!";

    private static final ByteBuffer HELLO = encoded(HELLO_HEAD + "\r\n" + HELLO_BODY);
    private static final ByteBuffer HELLO_CLOSE = encoded(HELLO_HEAD + "connection: close\r\n\r\n" + HELLO_BODY);
    private static final ByteBuffer HELLO_KEEP_ALIVE = encoded(HELLO_HEAD + "connection: keep-alive\r\n\r\n" + HELLO_BODY);
    private static final ByteBuffer HELLO_HEAD_ONLY = encoded(HELLO_HEAD + "\r\n");
    private static final ByteBuffer HELLO_HEAD_ONLY_CLOSE = encoded(HELLO_HEAD + "connection: close\r\n\r\n");
    private static final ByteBuffer HELLO_HEAD_ONLY_KEEP_ALIVE = encoded(HELLO_HEAD + "connection: keep-alive\r\n\r\n");

    private HttpResponses() {
    }

    /**
     * The fixed {@code /hello} response.
     *
     * @param head       true for a {@code HEAD} request (no body)
     * @param connection how the connection goes on after it
     * @return a fresh read-only view of the shared bytes
     */
    public static ByteBuffer hello(boolean head, ConnectionHeader connection) {
        switch (connection) {
            case CLOSE:
                return (head ? HELLO_HEAD_ONLY_CLOSE : HELLO_CLOSE).duplicate();
            case KEEP_ALIVE:
                return (head ? HELLO_HEAD_ONLY_KEEP_ALIVE : HELLO_KEEP_ALIVE).duplicate();
            default:
                return (head ? HELLO_HEAD_ONLY : HELLO).duplicate();
        }
    }

    /**
     * A response head with a body length and type; used for static files.
     *
     * @param contentType   the {@code content-type} value
     * @param contentLength the body's length in bytes
     * @param connection    how the connection goes on after it
     * @return the encoded head (allocates: static files only)
     */
    public static byte[] okHead(String contentType, long contentLength, ConnectionHeader connection) {
        return ("HTTP/1.1 200 OK\r\ncontent-type: " + contentType + "\r\ncontent-length: " + contentLength + "\r\n"
                + connection.line() + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * An error response: status line, {@code content-type: text/plain}, the length, an
     * {@code allow: GET, HEAD} header for 405, the connection header, and a body naming the
     * status (none for {@code HEAD}).
     *
     * @param status     the status code, one of {@link #reason(int)}'s
     * @param head       true for a {@code HEAD} request (no body)
     * @param connection how the connection goes on after it
     * @return the encoded response (allocates: errors are off the hot path)
     */
    public static ByteBuffer error(int status, boolean head, ConnectionHeader connection) {
        String body = status + " " + reason(status) + "\n";
        String response = "HTTP/1.1 " + status + " " + reason(status) + "\r\ncontent-type: text/plain\r\ncontent-length: "
                + body.length() + "\r\n" + (status == 405 ? "allow: GET, HEAD\r\n" : "") + connection.line() + "\r\n"
                + (head ? "" : body);
        return ByteBuffer.wrap(response.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * The reason phrase of a status the server sends.
     *
     * @param status the status code
     * @return its reason phrase, {@code "Error"} for a code the server never sends
     */
    public static String reason(int status) {
        switch (status) {
            case 200: return "OK";
            case 400: return "Bad Request";
            case 403: return "Forbidden";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 413: return "Content Too Large";
            case 414: return "URI Too Long";
            case 431: return "Request Header Fields Too Large";
            case 500: return "Internal Server Error";
            case 501: return "Not Implemented";
            default: return "Error";
        }
    }

    private static ByteBuffer encoded(String response) {
        return ByteBuffer.wrap(response.getBytes(StandardCharsets.ISO_8859_1)).asReadOnlyBuffer();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
