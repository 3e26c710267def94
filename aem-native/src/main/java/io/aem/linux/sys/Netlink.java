package io.aem.linux.sys;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * Netlink sockets ({@code AF_NETLINK}) and the kernel connector's process-event control message,
 * as thin wrappers returning {@code -errno}.
 *
 * <p>Layouts, checked on x86-64 with a C program against {@code linux/netlink.h},
 * {@code linux/connector.h} and {@code linux/cn_proc.h}: {@code struct nlmsghdr} is 16 bytes
 * ({@code len u32, type u16, flags u16, seq u32, pid u32}), {@code struct cn_msg} 20 bytes
 * ({@code idx u32, val u32, seq u32, ack u32, len u16, flags u16}), {@code struct sockaddr_nl}
 * 12 bytes ({@code family u16, pad u16, pid u32, groups u32}). Messages are aligned to 4 bytes
 * ({@code NLMSG_ALIGN}).
 *
 * <p>Thread-safe; every method is one or two system calls. Socket options are per socket, but
 * {@code SO_RCVBUFFORCE} checks {@code CAP_NET_ADMIN} of the calling thread.
 */
public final class Netlink {
    /** {@code AF_NETLINK}. */
    public static final int AF_NETLINK = 16;
    /** {@code SOCK_DGRAM}. */
    public static final int SOCK_DGRAM = 2;
    /** {@code SOCK_NONBLOCK}. */
    public static final int SOCK_NONBLOCK = 0x800;
    /** {@code SOCK_CLOEXEC}. */
    public static final int SOCK_CLOEXEC = 0x80000;
    /** {@code NETLINK_CONNECTOR}: the kernel connector, which carries process events. */
    public static final int NETLINK_CONNECTOR = 11;
    /** {@code SOL_SOCKET}. */
    public static final int SOL_SOCKET = 1;
    /** {@code SO_RCVBUF}: capped at {@code net.core.rmem_max}; the kernel doubles the value asked. */
    public static final int SO_RCVBUF = 8;
    /** {@code SO_RCVBUFFORCE}: like {@link #SO_RCVBUF} without the cap; needs {@code CAP_NET_ADMIN}. */
    public static final int SO_RCVBUFFORCE = 33;

    /** Size of {@code struct nlmsghdr}. */
    public static final int NLMSG_HDRLEN = 16;
    /** {@code NLMSG_NOOP}: nothing; skip. */
    public static final int NLMSG_NOOP = 1;
    /** {@code NLMSG_ERROR}: an error or acknowledgement ({@code struct nlmsgerr}). */
    public static final int NLMSG_ERROR = 2;
    /** {@code NLMSG_DONE}: the type the connector gives every message it sends. */
    public static final int NLMSG_DONE = 3;
    /** {@code NLMSG_OVERRUN}: data lost. */
    public static final int NLMSG_OVERRUN = 4;
    /** Size of {@code struct cn_msg} without its data. */
    public static final int CN_MSG_SIZE = 20;
    /** {@code CN_IDX_PROC}: the connector index, and multicast group, of process events. */
    public static final int CN_IDX_PROC = 1;
    /** {@code CN_VAL_PROC}. */
    public static final int CN_VAL_PROC = 1;
    /** {@code PROC_CN_MCAST_LISTEN}. */
    public static final int PROC_CN_MCAST_LISTEN = 1;
    /** {@code PROC_CN_MCAST_IGNORE}. */
    public static final int PROC_CN_MCAST_IGNORE = 2;

    private static final int SOCKADDR_NL_SIZE = 12;

    private Netlink() {
    }

    /** {@code NLMSG_ALIGN(len)}: rounds up to a multiple of 4. */
    public static int align(int len) {
        return (len + 3) & ~3;
    }

    /**
     * {@code socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol)}.
     *
     * @return the fd or {@code -errno}
     */
    public static int open(int protocol) {
        int r = LibC.socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
        return r >= 0 ? r : -Native.getLastError();
    }

    /**
     * {@code bind} with {@code sockaddr_nl { AF_NETLINK, 0, nl_pid = 0 (the kernel assigns one), groups }}.
     *
     * @return {@code 0} or {@code -errno}
     */
    public static int bind(int fd, int groups) {
        try (Memory addr = new Memory(SOCKADDR_NL_SIZE)) {
            addr.clear();
            addr.setShort(0, (short) AF_NETLINK);
            addr.setInt(8, groups);
            int r = LibC.bind(fd, addr, SOCKADDR_NL_SIZE);
            return r == 0 ? 0 : -Native.getLastError();
        }
    }

    /** {@code setsockopt(fd, SOL_SOCKET, option, &value, 4)}: {@code 0} or {@code -errno}. */
    public static int setIntOption(int fd, int option, int value) {
        try (Memory v = new Memory(4)) {
            v.setInt(0, value);
            int r = LibC.setsockopt(fd, SOL_SOCKET, option, v, 4);
            return r == 0 ? 0 : -Native.getLastError();
        }
    }

    /** {@code getsockopt(fd, SOL_SOCKET, option)}: the value ({@code >= 0}) or {@code -errno}. */
    public static int getIntOption(int fd, int option) {
        try (Memory v = new Memory(4); Memory len = new Memory(4)) {
            len.setInt(0, 4);
            int r = LibC.getsockopt(fd, SOL_SOCKET, option, v, len);
            return r == 0 ? v.getInt(0) : -Native.getLastError();
        }
    }

    /** {@code recv(fd, buf, len, 0)}: bytes received or {@code -errno} ({@code ENOBUFS}: messages were dropped). */
    public static long recv(int fd, Pointer buf, long len) {
        long r = LibC.recv(fd, buf, len, 0);
        return r >= 0 ? r : -Native.getLastError();
    }

    /**
     * Sends a process-connector control message to the kernel: {@code nlmsghdr} +
     * {@code cn_msg { CN_IDX_PROC, CN_VAL_PROC }} + either the plain {@code u32} operation, or,
     * when {@code withEventFilter}, {@code struct proc_input { u32 mcast_op; u32 event_type; }}
     * (Linux 6.6; older kernels ignore an 8-byte payload silently).
     *
     * @param fd              a bound {@code NETLINK_CONNECTOR} socket
     * @param op              {@link #PROC_CN_MCAST_LISTEN} or {@link #PROC_CN_MCAST_IGNORE}
     * @param eventTypes      the {@code PROC_EVENT_*} bits to receive (with the filter only)
     * @param withEventFilter whether to send {@code struct proc_input}
     * @return {@code 0} or {@code -errno} ({@code ECONNREFUSED}: no connector in this network namespace)
     */
    public static int sendProcControl(int fd, int op, int eventTypes, boolean withEventFilter) {
        int payload = withEventFilter ? 8 : 4;
        int len = NLMSG_HDRLEN + CN_MSG_SIZE + payload;
        try (Memory m = new Memory(len)) {
            m.clear();
            m.setInt(0, len);
            m.setShort(4, (short) NLMSG_DONE);
            m.setInt(12, ProcessIds.current());
            m.setInt(NLMSG_HDRLEN, CN_IDX_PROC);
            m.setInt(NLMSG_HDRLEN + 4, CN_VAL_PROC);
            m.setShort(NLMSG_HDRLEN + 16, (short) payload);
            m.setInt(NLMSG_HDRLEN + CN_MSG_SIZE, op);
            if (withEventFilter) {
                m.setInt(NLMSG_HDRLEN + CN_MSG_SIZE + 4, eventTypes);
            }
            for (;;) {
                long r = LibC.send(fd, m, len, 0);
                if (r >= 0) {
                    return 0;
                }
                int errno = Native.getLastError();
                if (errno != 4) {
                    return -errno;
                }
            }
        }
    }

    /** This process's pid, for {@code nlmsg_pid} of messages sent (informational for the kernel). */
    private static final class ProcessIds {
        private static final int PID = (int) ProcessHandle.current().pid();

        static int current() {
            return PID;
        }
    }
}
