package io.aem.linux.net;

import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import java.net.InetSocketAddress;

/**
 * {@code bind} answered {@code EADDRINUSE}: another socket holds the address.
 */
public class AddressInUseException extends KernelException {
    private static final long serialVersionUID = 1L;

    private final InetSocketAddress address;

    /**
     * Creates the exception.
     *
     * @param address the address asked for
     */
    public AddressInUseException(InetSocketAddress address) {
        super("bind", Errno.EADDRINUSE, "another socket is bound to " + address
                + "; stop it or choose another port (port 0 picks a free one). SO_REUSEADDR (withReuseAddress) only"
                + " allows binding over connections in TIME_WAIT; sharing a port between listeners needs SO_REUSEPORT"
                + " (withReusePort) on every one of them, in processes of the same user");
        this.address = address;
    }

    /** The address asked for. */
    public InetSocketAddress address() {
        return address;
    }
}
