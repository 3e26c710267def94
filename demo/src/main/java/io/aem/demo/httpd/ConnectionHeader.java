package io.aem.demo.httpd;

/** The {@code connection} header a response carries, from whether the connection stays open and the request's version. */
public enum ConnectionHeader {
    /** No header: HTTP/1.1 keeps the connection open by default. */
    NONE(""),
    /** {@code connection: close}: the server closes after this response. */
    CLOSE("connection: close\r\n"),
    /** {@code connection: keep-alive}: an HTTP/1.0 client asked to keep the connection open. */
    KEEP_ALIVE("connection: keep-alive\r\n");

    private final String line;

    ConnectionHeader(String line) {
        this.line = line;
    }

    /** The header line with its CRLF, empty for {@link #NONE}. */
    String line() {
        return line;
    }

    /**
     * The header for a response.
     *
     * @param keepAlive whether the connection stays open after it
     * @param http11    whether the request was HTTP/1.1
     * @return the header to send
     */
    public static ConnectionHeader of(boolean keepAlive, boolean http11) {
        if (!keepAlive) {
            return CLOSE;
        }
        return http11 ? NONE : KEEP_ALIVE;
    }
}
