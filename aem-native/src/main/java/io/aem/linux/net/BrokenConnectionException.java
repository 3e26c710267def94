package io.aem.linux.net;

import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import java.net.InetSocketAddress;

/**
 * A write found the connection shut for sending ({@code EPIPE}): the peer reset it earlier, or
 * this side shut its output. Bytes not written are dropped; the connection is closed.
 */
public class BrokenConnectionException extends KernelException {
    private static final long serialVersionUID = 1L;

    private final InetSocketAddress peer;

    /**
     * Creates the exception.
     *
     * @param peer the remote address
     */
    public BrokenConnectionException(InetSocketAddress peer) {
        super("send", Errno.EPIPE, "the connection to " + peer + " can no longer send (the peer reset it or the output"
                + " was shut); the rest is dropped. Stop writing after shutdownOutput(), and expect this when peers may abort");
        this.peer = peer;
    }

    /** The remote address. */
    public InetSocketAddress peer() {
        return peer;
    }
}
