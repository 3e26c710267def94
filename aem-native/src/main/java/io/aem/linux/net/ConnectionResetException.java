package io.aem.linux.net;

import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import java.net.InetSocketAddress;

/**
 * The peer reset the connection ({@code ECONNRESET}): it closed with unread data, aborted with
 * {@code SO_LINGER} 0, or its host forgot the connection. Bytes not yet read by the peer are lost;
 * the connection is closed.
 */
public class ConnectionResetException extends KernelException {
    private static final long serialVersionUID = 1L;

    private final InetSocketAddress peer;

    /**
     * Creates the exception.
     *
     * @param call the call that saw the reset ({@code "recv"}, {@code "send"})
     * @param peer the remote address
     */
    public ConnectionResetException(String call, InetSocketAddress peer) {
        super(call, Errno.ECONNRESET, "the peer " + peer + " reset the connection; what it had not read is lost."
                + " Expect this when peers may abort; reconnect if the exchange must go on");
        this.peer = peer;
    }

    /** The remote address. */
    public InetSocketAddress peer() {
        return peer;
    }
}
