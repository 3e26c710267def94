package io.aem.linux.net;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Where and how a {@link TcpListener} listens: immutable, validated when set. Thread-safe.
 */
public final class TcpListenOptions {
    /** The default backlog: 1024 (the kernel caps it at {@code net.core.somaxconn}). */
    public static final int DEFAULT_BACKLOG = 1024;

    private final InetSocketAddress address;
    private final int backlog;
    private final boolean reuseAddress;
    private final boolean reusePort;
    private final TcpOptions connectionOptions;

    private TcpListenOptions(InetSocketAddress address, int backlog, boolean reuseAddress, boolean reusePort,
                             TcpOptions connectionOptions) {
        this.address = address;
        this.backlog = backlog;
        this.reuseAddress = reuseAddress;
        this.reusePort = reusePort;
        this.connectionOptions = connectionOptions;
    }

    /**
     * Listens on an address, IPv4 or IPv6 ({@code ::} accepts IPv4 too, as mapped addresses).
     *
     * @param address a resolved address; port 0 lets the kernel pick a free port
     * @throws IllegalArgumentException if unresolved
     */
    public static TcpListenOptions on(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("unresolved address " + address + "; resolve the host name first");
        }
        return new TcpListenOptions(address, DEFAULT_BACKLOG, true, false, TcpOptions.defaults());
    }

    /**
     * The length of the accept queue: connections the kernel completes while nobody accepts.
     *
     * @param backlog {@code >= 1}; the kernel caps it at {@code net.core.somaxconn}
     */
    public TcpListenOptions withBacklog(int backlog) {
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be at least 1, was " + backlog);
        }
        return new TcpListenOptions(address, backlog, reuseAddress, reusePort, connectionOptions);
    }

    /** {@code SO_REUSEADDR} (default on): binding succeeds over connections of the port left in {@code TIME_WAIT}. */
    public TcpListenOptions withReuseAddress(boolean on) {
        return new TcpListenOptions(address, backlog, on, reusePort, connectionOptions);
    }

    /** {@code SO_REUSEPORT} (default off): several listeners with it set share the port; the kernel spreads connections. */
    public TcpListenOptions withReusePort(boolean on) {
        return new TcpListenOptions(address, backlog, reuseAddress, on, connectionOptions);
    }

    /**
     * Options applied to every accepted connection. A receive buffer size is also set on the
     * listening socket, so that the window scale negotiated in the handshake fits it.
     */
    public TcpListenOptions withConnectionOptions(TcpOptions options) {
        return new TcpListenOptions(address, backlog, reuseAddress, reusePort, Objects.requireNonNull(options, "options"));
    }

    /** The address to bind. */
    public InetSocketAddress address() {
        return address;
    }

    /** The backlog asked for. */
    public int backlog() {
        return backlog;
    }

    /** Whether {@code SO_REUSEADDR} is set. */
    public boolean reuseAddress() {
        return reuseAddress;
    }

    /** Whether {@code SO_REUSEPORT} is set. */
    public boolean reusePort() {
        return reusePort;
    }

    /** The options of accepted connections. */
    public TcpOptions connectionOptions() {
        return connectionOptions;
    }

    @Override
    public String toString() {
        return "TcpListenOptions[" + address + ", backlog=" + backlog + ", reuseAddress=" + reuseAddress
                + ", reusePort=" + reusePort + ", " + connectionOptions + "]";
    }
}
