package io.aem.linux.sys;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * TCP socket system calls, each returning {@code -errno} on failure, and the encoding of
 * {@code sockaddr_in} / {@code sockaddr_in6} by offset in native memory.
 *
 * <p>Every socket made here is {@code SOCK_NONBLOCK | SOCK_CLOEXEC}; {@link #accept} passes the
 * same flags to {@code accept4}. Thread-safe; each method is one system call (two for
 * {@link #setIntOption}/{@link #intOption} counting none of the memory writes). The scratch memory
 * passed in belongs to the caller and must not be shared between threads.
 */
public final class Sockets {
    /** {@code AF_INET}. */
    public static final int AF_INET = 2;
    /** {@code AF_INET6}. */
    public static final int AF_INET6 = 10;
    /** {@code SOCK_STREAM}. */
    public static final int SOCK_STREAM = 1;
    /** {@code SOCK_NONBLOCK}. */
    public static final int SOCK_NONBLOCK = Io.O_NONBLOCK;
    /** {@code SOCK_CLOEXEC}. */
    public static final int SOCK_CLOEXEC = Io.O_CLOEXEC;
    /** {@code SOL_SOCKET}. */
    public static final int SOL_SOCKET = 1;
    /** {@code SO_REUSEADDR}. */
    public static final int SO_REUSEADDR = 2;
    /** {@code SO_ERROR}: the pending error, read once after a non-blocking connect. */
    public static final int SO_ERROR = 4;
    /** {@code SO_SNDBUF}. */
    public static final int SO_SNDBUF = 7;
    /** {@code SO_RCVBUF}. */
    public static final int SO_RCVBUF = 8;
    /** {@code SO_LINGER}. */
    public static final int SO_LINGER = 13;
    /** {@code SO_REUSEPORT}. */
    public static final int SO_REUSEPORT = 15;
    /** {@code IPPROTO_TCP}. */
    public static final int IPPROTO_TCP = 6;
    /** {@code IPPROTO_IPV6}. */
    public static final int IPPROTO_IPV6 = 41;
    /** {@code IPV6_V6ONLY}. */
    public static final int IPV6_V6ONLY = 26;
    /** {@code TCP_NODELAY}. */
    public static final int TCP_NODELAY = 1;
    /** {@code SHUT_WR}: half-close, sends FIN. */
    public static final int SHUT_WR = 1;
    /** {@code MSG_NOSIGNAL}: a write to a closed connection answers {@code EPIPE} instead of raising {@code SIGPIPE}. */
    public static final int MSG_NOSIGNAL = 0x4000;
    /** {@code EINPROGRESS}: a non-blocking connect started; writability reports its end. */
    public static final int EINPROGRESS = 115;
    /** Bytes enough for a {@code sockaddr_in6}, the larger of the two. */
    public static final int SOCKADDR_SIZE = 28;

    private Sockets() {
    }

    /** {@code socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)}: the fd or {@code -errno}. */
    public static int tcpSocket(int family) {
        return check(LibC.socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    }

    /** {@code bind(2)} of an address encoded by {@link #encode}: {@code 0} or {@code -errno}. */
    public static int bind(int fd, Pointer addr, int len) {
        return check(LibC.bind(fd, addr, len));
    }

    /** {@code listen(2)}: {@code 0} or {@code -errno}. */
    public static int listen(int fd, int backlog) {
        return check(LibC.listen(fd, backlog));
    }

    /**
     * {@code accept4(fd, addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC)}.
     *
     * @param addr receives the peer's address, {@link #SOCKADDR_SIZE} bytes
     * @param len  4 bytes of scratch for the length
     * @return the new fd, or {@code -errno} ({@code EAGAIN} when the backlog is empty)
     */
    public static int accept(int fd, Pointer addr, Pointer len) {
        len.setInt(0, SOCKADDR_SIZE);
        return check(LibC.accept4(fd, addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC));
    }

    /** {@code connect(2)}: {@code 0}, {@code -EINPROGRESS} (wait for {@code EPOLLOUT}, then read {@link #SO_ERROR}) or {@code -errno}. */
    public static int connect(int fd, Pointer addr, int len) {
        return check(LibC.connect(fd, addr, len));
    }

    /** {@code shutdown(2)}: {@code 0} or {@code -errno}. */
    public static int shutdown(int fd, int how) {
        return check(LibC.shutdown(fd, how));
    }

    /** {@code send(fd, buf, count, MSG_NOSIGNAL)}: bytes written or {@code -errno}. */
    public static long send(int fd, Pointer buf, long count) {
        long r = LibC.send(fd, buf, count, MSG_NOSIGNAL);
        return r >= 0 ? r : -Native.getLastError();
    }

    /** {@code recv(fd, buf, count, 0)}: bytes read, {@code 0} at end of stream, or {@code -errno}. */
    public static long recv(int fd, Pointer buf, long count) {
        long r = LibC.recv(fd, buf, count, 0);
        return r >= 0 ? r : -Native.getLastError();
    }

    /**
     * Sets an {@code int} option.
     *
     * @param scratch at least 4 bytes
     * @return {@code 0} or {@code -errno}
     */
    public static int setIntOption(int fd, int level, int name, int value, Pointer scratch) {
        scratch.setInt(0, value);
        return check(LibC.setsockopt(fd, level, name, scratch, 4));
    }

    /**
     * Reads an {@code int} option.
     *
     * @param scratch at least 8 bytes
     * @return the value ({@code >= 0} for every option read here) or {@code -errno}
     */
    public static int intOption(int fd, int level, int name, Pointer scratch) {
        scratch.setInt(0, 0);
        scratch.setInt(4, 4);
        int r = LibC.getsockopt(fd, level, name, scratch, scratch.share(4));
        return r == 0 ? scratch.getInt(0) : -Native.getLastError();
    }

    /**
     * {@code SO_LINGER} on with a zero timeout: the next close sends RST and drops unsent data.
     *
     * @param scratch at least 8 bytes
     * @return {@code 0} or {@code -errno}
     */
    public static int lingerZero(int fd, Pointer scratch) {
        scratch.setInt(0, 1);
        scratch.setInt(4, 0);
        return check(LibC.setsockopt(fd, SOL_SOCKET, SO_LINGER, scratch, 8));
    }

    /**
     * {@code getsockname(2)} decoded.
     *
     * @param scratch at least {@link #SOCKADDR_SIZE} + 4 bytes
     * @return the address, or {@code null} on failure
     */
    public static InetSocketAddress localAddress(int fd, Pointer scratch) {
        Pointer len = scratch.share(SOCKADDR_SIZE);
        len.setInt(0, SOCKADDR_SIZE);
        return LibC.getsockname(fd, scratch, len) == 0 ? decode(scratch) : null;
    }

    /**
     * {@code getpeername(2)} decoded.
     *
     * @param scratch at least {@link #SOCKADDR_SIZE} + 4 bytes
     * @return the address, or {@code null} on failure (not connected)
     */
    public static InetSocketAddress remoteAddress(int fd, Pointer scratch) {
        Pointer len = scratch.share(SOCKADDR_SIZE);
        len.setInt(0, SOCKADDR_SIZE);
        return LibC.getpeername(fd, scratch, len) == 0 ? decode(scratch) : null;
    }

    /** The address family of an address: {@link #AF_INET} or {@link #AF_INET6}. */
    public static int family(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address ? AF_INET6 : AF_INET;
    }

    /**
     * Writes {@code sockaddr_in} or {@code sockaddr_in6} (port in network byte order).
     *
     * @param address a resolved address
     * @param out     at least {@link #SOCKADDR_SIZE} bytes
     * @return the length to pass to the kernel
     */
    public static int encode(InetSocketAddress address, Pointer out) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address " + address + "; resolve the host name first");
        }
        out.clear(SOCKADDR_SIZE);
        int port = address.getPort();
        out.setByte(2, (byte) (port >>> 8));
        out.setByte(3, (byte) port);
        byte[] bytes = ip.getAddress();
        if (ip instanceof Inet4Address) {
            out.setShort(0, (short) AF_INET);
            out.write(4, bytes, 0, 4);
            return 16;
        }
        out.setShort(0, (short) AF_INET6);
        out.write(8, bytes, 0, 16);
        out.setInt(24, ((Inet6Address) ip).getScopeId());
        return 28;
    }

    /** Reads a {@code sockaddr_in} or {@code sockaddr_in6}; {@code null} for another family. */
    public static InetSocketAddress decode(Pointer in) {
        int family = in.getShort(0) & 0xffff;
        int port = ((in.getByte(2) & 0xff) << 8) | (in.getByte(3) & 0xff);
        try {
            if (family == AF_INET) {
                return new InetSocketAddress(InetAddress.getByAddress(in.getByteArray(4, 4)), port);
            }
            if (family == AF_INET6) {
                byte[] bytes = in.getByteArray(8, 16);
                int scope = in.getInt(24);
                InetAddress ip = scope != 0 ? Inet6Address.getByAddress(null, bytes, scope) : InetAddress.getByAddress(bytes);
                return new InetSocketAddress(ip, port);
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException("kernel returned a malformed address", e);
        }
        return null;
    }

    /** Native scratch enough for an address and its length. */
    public static Memory addressScratch() {
        return new Memory(SOCKADDR_SIZE + 8);
    }

    private static int check(int r) {
        return r >= 0 ? r : -Native.getLastError();
    }
}
