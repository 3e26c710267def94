package io.aem.linux.net;

import io.aem.linux.KernelException;
import java.net.InetSocketAddress;

/**
 * A connect found no route ({@code ENETUNREACH}, {@code EHOSTUNREACH}) or no answer
 * ({@code ETIMEDOUT}) to the address.
 */
public class UnreachableAddressException extends KernelException {
    private static final long serialVersionUID = 1L;

    private final InetSocketAddress address;

    /**
     * Creates the exception.
     *
     * @param errno   the {@code errno}
     * @param address the address connected to
     */
    public UnreachableAddressException(int errno, InetSocketAddress address) {
        super("connect", errno, address + " cannot be reached from this host; check the address, the routes"
                + " (ip route) and firewalls");
        this.address = address;
    }

    /** The address that could not be reached. */
    public InetSocketAddress address() {
        return address;
    }
}
