package io.aem.linux.net;

import java.io.IOException;

/**
 * An operation on a connection or listener that this side already closed (by {@code close},
 * {@code reset}, a cancelled receive, an earlier error or the loop's shutdown). Nothing was
 * written; open a new connection.
 */
public class ConnectionClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param what the connection or listener and what was attempted
     */
    public ConnectionClosedException(String what) {
        super(what + ": already closed on this side; open a new connection");
    }
}
