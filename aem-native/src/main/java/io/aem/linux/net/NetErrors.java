package io.aem.linux.net;

import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import java.net.InetSocketAddress;

/** Maps socket {@code errno} values to the typed exceptions of this package; everything else goes to {@link Errno}. */
final class NetErrors {
    private NetErrors() {
    }

    /**
     * The exception for a failed socket call.
     *
     * @param call    the call
     * @param errno   the positive errno
     * @param address the address concerned (remote for connect/send/recv, local for bind)
     */
    static KernelException exception(String call, int errno, InetSocketAddress address) {
        switch (errno) {
            case Errno.ECONNREFUSED:
                return new ConnectionRefusedException(address);
            case Errno.ECONNRESET:
                return new ConnectionResetException(call, address);
            case Errno.EPIPE:
                return new BrokenConnectionException(address);
            case Errno.EADDRINUSE:
                return new AddressInUseException(address);
            case Errno.ENETUNREACH:
            case Errno.EHOSTUNREACH:
            case Errno.ETIMEDOUT:
                return new UnreachableAddressException(errno, address);
            case Errno.EADDRNOTAVAIL:
                return new KernelException(call, errno, address + " is not an address of this host; bind to one of"
                        + " its addresses, or to 0.0.0.0 / ::");
            default:
                return Errno.exception(call, errno, null);
        }
    }
}
