package io.aem.demo.httpd;

/** What one {@link HttpRequestParser#parse} call ended with. */
public enum ParseResult {
    /** The buffer is consumed and no request head is complete yet: read more bytes. */
    NEED_MORE,
    /**
     * One request head is complete; the parser's accessors describe it until the next
     * {@code parse} call. Bytes after the head are left in the buffer (pipelining).
     */
    REQUEST,
    /**
     * The bytes are not an acceptable request; {@link HttpRequestParser#errorStatus()} is the
     * status to answer before closing the connection. The parser stays in this state.
     */
    ERROR
}
