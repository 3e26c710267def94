package io.aem.linux.proc;

import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.MissingPrivilegeException;
import io.aem.linux.OwnedFd;
import io.aem.linux.UnsupportedKernelFeatureException;
import io.aem.linux.sys.Limits;
import io.aem.linux.sys.Netlink;

/**
 * Opens, and stops, a process-connector socket: {@code socket(AF_NETLINK, NETLINK_CONNECTOR)},
 * the receive buffer, {@code bind} to the {@code CN_IDX_PROC} group, and the {@code LISTEN}
 * message (with the kernel event filter from Linux 6.6). Run on the thread that will own the
 * socket (the loop thread): privileges are checked per thread. Each call costs four or five
 * system calls.
 */
final class ProcConnectorSocket {
    private static final int EPROTONOSUPPORT = 93;
    private static final int ECONNREFUSED = 111;
    private static final boolean KERNEL_FILTER = kernelAtLeast(System.getProperty("os.version", ""), 6, 6);

    private ProcConnectorSocket() {
    }

    /** Whether the running kernel takes {@code struct proc_input} (Linux 6.6 and later). */
    static boolean kernelFilters() {
        return KERNEL_FILTER;
    }

    /**
     * Opens a listening socket.
     *
     * @param options kinds and receive buffer
     * @return the socket, non-blocking, close-on-exec, owned by the caller
     * @throws UnsupportedKernelFeatureException a kernel without the connector, or a network
     *         namespace other than the initial one (the connector lives only there)
     * @throws MissingPrivilegeException {@code CAP_NET_ADMIN} needed for the group (before 6.6)
     *         or for a buffer above {@code net.core.rmem_max}
     * @throws KernelException anything else the kernel refuses (the fd limit, ...)
     */
    static OwnedFd open(ProcessEvents options) throws KernelException {
        int fd = Netlink.open(Netlink.NETLINK_CONNECTOR);
        if (fd == -EPROTONOSUPPORT) {
            throw new UnsupportedKernelFeatureException("socket(AF_NETLINK, NETLINK_CONNECTOR)", EPROTONOSUPPORT,
                    "the kernel connector (CONFIG_CONNECTOR, CONFIG_PROC_EVENTS)",
                    "use a kernel built with the process connector");
        }
        if (fd < 0) {
            throw Errno.exception("socket(AF_NETLINK, NETLINK_CONNECTOR)", -fd, null);
        }
        OwnedFd socket = new OwnedFd(fd, "proc connector socket");
        try {
            if (options.receiveBufferBytes() > 0) {
                receiveBuffer(fd, options.receiveBufferBytes());
            }
            int r = Netlink.bind(fd, Netlink.CN_IDX_PROC);
            if (r == -Errno.EPERM) {
                throw new MissingPrivilegeException("bind(NETLINK_CONNECTOR, CN_IDX_PROC)", Errno.EPERM, "CAP_NET_ADMIN",
                        "kernels before 6.6 let only CAP_NET_ADMIN join the process-event group; grant it to the"
                                + " process (setcap cap_net_admin+ep, the container's capabilities) or run as root;"
                                + " it is checked on loop thread '" + Thread.currentThread().getName() + "'");
            }
            if (r < 0) {
                throw Errno.exception("bind(NETLINK_CONNECTOR, CN_IDX_PROC)", -r, "CAP_NET_ADMIN");
            }
            boolean filter = KERNEL_FILTER && !options.isAll();
            r = Netlink.sendProcControl(fd, Netlink.PROC_CN_MCAST_LISTEN, options.kernelMask(), filter);
            if (r == -ECONNREFUSED) {
                throw new UnsupportedKernelFeatureException("send(PROC_CN_MCAST_LISTEN)", ECONNREFUSED,
                        "the process connector in this network namespace",
                        "the kernel connector exists only in the initial network namespace; run the loop thread"
                                + " there (not in a container's own network namespace)");
            }
            if (r < 0) {
                throw Errno.exception("send(PROC_CN_MCAST_LISTEN)", -r, "CAP_NET_ADMIN");
            }
            return socket;
        } catch (KernelException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends {@code PROC_CN_MCAST_IGNORE}, best effort: the kernel then stops counting this listener. */
    static void ignore(OwnedFd socket) {
        if (socket.isOpen()) {
            Netlink.sendProcControl(socket.get(), Netlink.PROC_CN_MCAST_IGNORE, 0, false);
        }
    }

    private static void receiveBuffer(int fd, int bytes) throws KernelException {
        String max = Limits.readProc("/proc/sys/net/core/rmem_max");
        long rmemMax;
        try {
            rmemMax = Long.parseLong(max.trim());
        } catch (NumberFormatException e) {
            rmemMax = 0;
        }
        if (bytes <= rmemMax) {
            int r = Netlink.setIntOption(fd, Netlink.SO_RCVBUF, bytes);
            if (r < 0) {
                throw Errno.exception("setsockopt(SO_RCVBUF, " + bytes + ")", -r, null);
            }
            return;
        }
        int r = Netlink.setIntOption(fd, Netlink.SO_RCVBUFFORCE, bytes);
        if (r == -Errno.EPERM) {
            throw new MissingPrivilegeException("setsockopt(SO_RCVBUFFORCE, " + bytes + ")", Errno.EPERM,
                    "CAP_NET_ADMIN", "a receive buffer above net.core.rmem_max (" + max.trim() + ") needs it on loop"
                            + " thread '" + Thread.currentThread().getName() + "'; grant it, raise net.core.rmem_max,"
                            + " or ask for at most " + max.trim() + " bytes");
        }
        if (r < 0) {
            throw Errno.exception("setsockopt(SO_RCVBUFFORCE, " + bytes + ")", -r, "CAP_NET_ADMIN");
        }
    }

    static boolean kernelAtLeast(String release, int major, int minor) {
        String[] parts = release.split("[.-]");
        try {
            int ma = Integer.parseInt(parts[0]);
            int mi = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return ma > major || (ma == major && mi >= minor);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
