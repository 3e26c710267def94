package io.aem.linux.net;

import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import java.net.InetSocketAddress;

/**
 * A connect was answered with RST ({@code ECONNREFUSED}): nothing listens on the address, or
 * its listener's backlog and SYN queue overflowed with {@code tcp_abort_on_overflow} set.
 */
public class ConnectionRefusedException extends KernelException {
    private static final long serialVersionUID = 1L;

    private final InetSocketAddress address;

    /**
     * Creates the exception.
     *
     * @param address the address connected to
     */
    public ConnectionRefusedException(InetSocketAddress address) {
        super("connect", Errno.ECONNREFUSED, "nothing listens on " + address
                + "; start the server first, or check the host and port");
        this.address = address;
    }

    /** The address that refused. */
    public InetSocketAddress address() {
        return address;
    }
}
