package io.aem.demo.httpd;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An incremental, pipelining-safe HTTP/1.1 request-head parser: one per connection.
 *
 * <p><b>Input.</b> Bytes arrive in chunks split anywhere; {@link #parse} consumes a chunk byte by
 * byte through a small state machine and stops right after a complete request head (leaving the
 * rest of the chunk, e.g. the next pipelined request, in the buffer), so it never holds a
 * reference to the caller's buffer and works on the loop's borrowed read buffer. A
 * {@code Content-Length} body announced by a request is skipped by the following {@code parse}
 * calls before the next request head begins.
 *
 * <p><b>What it keeps.</b> The method, the request target (copied into a per-connection array
 * that grows to at most the request-line limit), the version, and of the headers only what the
 * server needs: {@code Connection} tokens ({@code close}, {@code keep-alive}),
 * {@code Content-Length}, whether {@code Transfer-Encoding} and {@code Host} were present.
 * Nothing is allocated per request once the target array has grown to the connection's longest
 * target; strings are made only on demand ({@link #target()}).
 *
 * <p><b>Errors.</b> Never throws on any input: a request line over {@value #MAX_REQUEST_LINE}
 * bytes gives 414, a header section over {@value #MAX_HEADER_BYTES} bytes or
 * {@value #MAX_HEADERS} headers 431, a {@code Transfer-Encoding} on a request 501, a body over
 * {@value #MAX_BODY} bytes 413, anything malformed (bad tokens, control bytes, a bare CR, an
 * obsolete line fold, an HTTP/1.1 request without {@code Host}, conflicting
 * {@code Content-Length}s, an unknown version) 400. After an error the connection must close.
 *
 * <p><b>Threading.</b> Not thread-safe: used by the connection's event loop thread only.
 */
public final class HttpRequestParser {
    /** The longest request line accepted, in bytes, CRLF included; longer gives 414. */
    public static final int MAX_REQUEST_LINE = 8 * 1024;
    /** The longest header section accepted, in bytes, final CRLF included; longer gives 431. */
    public static final int MAX_HEADER_BYTES = 16 * 1024;
    /** The most header lines accepted; more gives 431. */
    public static final int MAX_HEADERS = 100;
    /** The largest request body skipped (the server reads no bodies); larger gives 413. */
    public static final long MAX_BODY = 1024 * 1024;

    private static final int S_LINE_START = 0;
    private static final int S_METHOD = 1;
    private static final int S_TARGET = 2;
    private static final int S_VERSION = 3;
    private static final int S_LINE_LF = 4;
    private static final int S_HEADER_START = 5;
    private static final int S_HEADER_NAME = 6;
    private static final int S_VALUE_LEADING = 7;
    private static final int S_VALUE = 8;
    private static final int S_HEADER_LF = 9;
    private static final int S_END_LF = 10;
    private static final int S_BODY = 11;
    private static final int S_ERROR = 12;

    private static final int H_OTHER = 0;
    private static final int H_CONNECTION = 1;
    private static final int H_CONTENT_LENGTH = 2;
    private static final int H_TRANSFER_ENCODING = 3;
    private static final int H_HOST = 4;

    private static final byte[] N_CONNECTION = ascii("connection");
    private static final byte[] N_CONTENT_LENGTH = ascii("content-length");
    private static final byte[] N_TRANSFER_ENCODING = ascii("transfer-encoding");
    private static final byte[] N_HOST = ascii("host");
    private static final byte[] T_CLOSE = ascii("close");
    private static final byte[] T_KEEP_ALIVE = ascii("keep-alive");
    private static final byte[] HTTP_1_ = ascii("HTTP/1.");
    private static final int NAME_CAPACITY = 20;
    private static final int TOKEN_CAPACITY = 12;

    private int state = S_LINE_START;
    private int lineBytes;
    private int headerBytes;
    private int headerCount;
    private int errorStatus;
    private long bodyRemaining;

    private final byte[] method = new byte[8];
    private int methodLength;
    private HttpMethod parsedMethod = HttpMethod.OTHER;
    private byte[] target = new byte[64];
    private int targetLength;
    private final byte[] version = new byte[8];
    private int versionLength;
    private boolean http11;

    private final byte[] name = new byte[NAME_CAPACITY];
    private int nameLength;
    private int header;
    private final byte[] token = new byte[TOKEN_CAPACITY];
    private int tokenLength;
    private boolean connectionClose;
    private boolean connectionKeepAlive;
    private long contentLength;
    private boolean contentLengthSeen;
    private long headerContentLength;
    private boolean valueDigits;
    private boolean valueTrailingSpace;
    private boolean transferEncoding;
    private boolean host;

    /** Creates a parser waiting for the first request line. */
    public HttpRequestParser() {
    }

    /**
     * Consumes bytes from {@code buffer} (from its position to its limit) until one request head
     * is complete, the buffer is empty, or the bytes are found unacceptable.
     *
     * <p>Cost: a few comparisons per byte; no allocation except growing the target array.
     *
     * @param buffer the bytes received; its position advances past what was consumed (past the
     *               complete head on {@link ParseResult#REQUEST}, to its limit otherwise)
     * @return {@link ParseResult#REQUEST} when a head is complete (accessors describe it until the
     *         next call), {@link ParseResult#NEED_MORE} when the buffer is consumed, or
     *         {@link ParseResult#ERROR} (see {@link #errorStatus()}), also on every later call
     */
    public ParseResult parse(ByteBuffer buffer) {
        if (state == S_BODY) {
            long skip = Math.min(bodyRemaining, buffer.remaining());
            buffer.position(buffer.position() + (int) skip);
            bodyRemaining -= skip;
            if (bodyRemaining > 0) {
                return ParseResult.NEED_MORE;
            }
            state = S_LINE_START;
        }
        if (state == S_ERROR) {
            buffer.position(buffer.limit());
            return ParseResult.ERROR;
        }
        while (buffer.hasRemaining()) {
            byte b = buffer.get();
            if (state <= S_LINE_LF) {
                if (++lineBytes > MAX_REQUEST_LINE) {
                    return fail(buffer, 414);
                }
            } else if (++headerBytes > MAX_HEADER_BYTES) {
                return fail(buffer, 431);
            }
            switch (state) {
                case S_LINE_START:
                    if (b == '\r' || b == '\n') {
                        // Empty lines before a request line are ignored (RFC 9112, 2.2).
                        break;
                    }
                    startRequest();
                    state = S_METHOD;
                    // fall through: the byte is the method's first
                case S_METHOD:
                    if (b == ' ') {
                        if (methodLength == 0) {
                            return fail(buffer, 400);
                        }
                        parsedMethod = methodOf();
                        state = S_TARGET;
                    } else if (!isTokenChar(b)) {
                        return fail(buffer, 400);
                    } else if (methodLength < method.length) {
                        method[methodLength++] = b;
                    } else {
                        methodLength = method.length + 1; // longer than any method served
                    }
                    break;
                case S_TARGET:
                    if (b == ' ') {
                        if (targetLength == 0) {
                            return fail(buffer, 400);
                        }
                        state = S_VERSION;
                    } else if (b <= 0x20 || b == 0x7f) {
                        return fail(buffer, 400);
                    } else {
                        appendTarget(b);
                    }
                    break;
                case S_VERSION:
                    if (b == '\r') {
                        state = S_LINE_LF;
                    } else if (b == '\n') {
                        if (!versionValid()) {
                            return fail(buffer, 400);
                        }
                        state = S_HEADER_START;
                    } else if (versionLength < version.length) {
                        version[versionLength++] = b;
                    } else {
                        return fail(buffer, 400);
                    }
                    break;
                case S_LINE_LF:
                    if (b != '\n' || !versionValid()) {
                        return fail(buffer, 400);
                    }
                    state = S_HEADER_START;
                    break;
                case S_HEADER_START:
                    if (b == '\r') {
                        state = S_END_LF;
                    } else if (b == '\n') {
                        return complete(buffer);
                    } else if (isTokenChar(b)) {
                        if (++headerCount > MAX_HEADERS) {
                            return fail(buffer, 431);
                        }
                        nameLength = 0;
                        appendName(b);
                        state = S_HEADER_NAME;
                    } else {
                        // Includes SP and HTAB: an obsolete line fold.
                        return fail(buffer, 400);
                    }
                    break;
                case S_HEADER_NAME:
                    if (b == ':') {
                        header = headerOf();
                        startValue();
                        state = S_VALUE_LEADING;
                    } else if (isTokenChar(b)) {
                        appendName(b);
                    } else {
                        return fail(buffer, 400);
                    }
                    break;
                case S_VALUE_LEADING:
                    if (b == ' ' || b == '\t') {
                        break;
                    }
                    state = S_VALUE;
                    // fall through: the byte is the value's first
                case S_VALUE:
                    if (b == '\r') {
                        state = S_HEADER_LF;
                    } else if (b == '\n') {
                        if (!endValue()) {
                            return fail(buffer, 400);
                        }
                        state = S_HEADER_START;
                    } else if ((b < 0x20 && b != '\t') || b == 0x7f) {
                        return fail(buffer, 400);
                    } else if (!valueByte(b)) {
                        return fail(buffer, contentLength > MAX_BODY ? 413 : 400);
                    }
                    break;
                case S_HEADER_LF:
                    if (b != '\n' || !endValue()) {
                        return fail(buffer, 400);
                    }
                    state = S_HEADER_START;
                    break;
                case S_END_LF:
                    if (b != '\n') {
                        return fail(buffer, 400);
                    }
                    return complete(buffer);
                default:
                    throw new IllegalStateException("parser state " + state);
            }
        }
        return ParseResult.NEED_MORE;
    }

    private void startRequest() {
        lineBytes = 1;
        headerBytes = 0;
        headerCount = 0;
        methodLength = 0;
        targetLength = 0;
        versionLength = 0;
        connectionClose = false;
        connectionKeepAlive = false;
        contentLength = 0;
        contentLengthSeen = false;
        transferEncoding = false;
        host = false;
    }

    private ParseResult complete(ByteBuffer buffer) {
        if (transferEncoding) {
            return fail(buffer, 501);
        }
        if (http11 && !host) {
            return fail(buffer, 400);
        }
        lineBytes = 0;
        if (contentLength > 0) {
            bodyRemaining = contentLength;
            state = S_BODY;
        } else {
            state = S_LINE_START;
        }
        return ParseResult.REQUEST;
    }

    private ParseResult fail(ByteBuffer buffer, int status) {
        errorStatus = status;
        state = S_ERROR;
        buffer.position(buffer.limit());
        return ParseResult.ERROR;
    }

    private HttpMethod methodOf() {
        if (methodLength == 3 && method[0] == 'G' && method[1] == 'E' && method[2] == 'T') {
            return HttpMethod.GET;
        }
        if (methodLength == 4 && method[0] == 'H' && method[1] == 'E' && method[2] == 'A' && method[3] == 'D') {
            return HttpMethod.HEAD;
        }
        return HttpMethod.OTHER;
    }

    private void appendTarget(byte b) {
        if (targetLength == target.length) {
            target = Arrays.copyOf(target, Math.min(target.length * 2, MAX_REQUEST_LINE));
        }
        target[targetLength++] = b;
    }

    private boolean versionValid() {
        if (versionLength != 8 || !regionEquals(version, 0, HTTP_1_, HTTP_1_.length)) {
            return false;
        }
        if (version[7] == '1') {
            http11 = true;
            return true;
        }
        if (version[7] == '0') {
            http11 = false;
            return true;
        }
        return false;
    }

    private void appendName(byte b) {
        if (nameLength < NAME_CAPACITY) {
            name[nameLength] = lower(b);
        }
        nameLength++;
    }

    private int headerOf() {
        if (nameLength > NAME_CAPACITY) {
            return H_OTHER;
        }
        if (nameIs(N_CONNECTION)) {
            return H_CONNECTION;
        }
        if (nameIs(N_CONTENT_LENGTH)) {
            return H_CONTENT_LENGTH;
        }
        if (nameIs(N_TRANSFER_ENCODING)) {
            transferEncoding = true;
            return H_TRANSFER_ENCODING;
        }
        if (nameIs(N_HOST)) {
            host = true;
            return H_HOST;
        }
        return H_OTHER;
    }

    private boolean nameIs(byte[] expected) {
        return nameLength == expected.length && regionEquals(name, 0, expected, expected.length);
    }

    private void startValue() {
        tokenLength = 0;
        headerContentLength = 0;
        valueDigits = false;
        valueTrailingSpace = false;
    }

    /** One value byte; false when it makes the value unacceptable. */
    private boolean valueByte(byte b) {
        if (header == H_CONTENT_LENGTH) {
            if (b == ' ' || b == '\t') {
                valueTrailingSpace = true;
                return true;
            }
            if (b < '0' || b > '9' || valueTrailingSpace) {
                return false;
            }
            valueDigits = true;
            headerContentLength = headerContentLength * 10 + (b - '0');
            if (headerContentLength > MAX_BODY) {
                contentLength = headerContentLength;
                return false;
            }
            return true;
        }
        if (header == H_CONNECTION) {
            if (b == ',') {
                endToken();
            } else if (b != ' ' && b != '\t') {
                if (tokenLength < TOKEN_CAPACITY) {
                    token[tokenLength] = lower(b);
                }
                tokenLength++;
            }
        }
        return true;
    }

    /** The end of a header value; false when the value is unacceptable. */
    private boolean endValue() {
        if (header == H_CONTENT_LENGTH) {
            if (!valueDigits || (contentLengthSeen && headerContentLength != contentLength)) {
                return false;
            }
            contentLengthSeen = true;
            contentLength = headerContentLength;
        } else if (header == H_CONNECTION) {
            endToken();
        }
        return true;
    }

    private void endToken() {
        if (tokenLength == T_CLOSE.length && regionEquals(token, 0, T_CLOSE, T_CLOSE.length)) {
            connectionClose = true;
        } else if (tokenLength == T_KEEP_ALIVE.length && regionEquals(token, 0, T_KEEP_ALIVE, T_KEEP_ALIVE.length)) {
            connectionKeepAlive = true;
        }
        tokenLength = 0;
    }

    /** The method of the last complete request. */
    public HttpMethod method() {
        return parsedMethod;
    }

    /** Whether the last complete request was HTTP/1.1 (otherwise HTTP/1.0). */
    public boolean http11() {
        return http11;
    }

    /**
     * Whether the connection stays open after the response to the last complete request:
     * HTTP/1.1 unless {@code Connection: close}; HTTP/1.0 only with {@code Connection: keep-alive}
     * (and no {@code close}).
     */
    public boolean keepAlive() {
        return !connectionClose && (http11 || connectionKeepAlive);
    }

    /** The {@code Content-Length} of the last complete request, 0 when absent; the parser skips that many body bytes. */
    public long contentLength() {
        return contentLength;
    }

    /** The status to answer after {@link ParseResult#ERROR}: 400, 413, 414, 431 or 501; 0 before any error. */
    public int errorStatus() {
        return errorStatus;
    }

    /**
     * Whether the last complete request's target is exactly these bytes, compared without
     * allocating (the fixed-response path).
     *
     * @param expected the target's bytes, for example {@code "/hello"} in ASCII
     * @return true when equal
     */
    public boolean targetEquals(byte[] expected) {
        return targetLength == expected.length && regionEquals(target, 0, expected, expected.length);
    }

    /** The last complete request's target as a new string (ISO-8859-1, still percent-encoded). Allocates. */
    public String target() {
        return new String(target, 0, targetLength, StandardCharsets.ISO_8859_1);
    }

    private static boolean regionEquals(byte[] a, int from, byte[] b, int length) {
        for (int i = 0; i < length; i++) {
            if (a[from + i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }

    /** RFC 9110 tchar. */
    private static boolean isTokenChar(byte b) {
        if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')) {
            return true;
        }
        switch (b) {
            case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
            case '-': case '.': case '^': case '_': case '`': case '|': case '~':
                return true;
            default:
                return false;
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
