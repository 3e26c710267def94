package io.aem.linux.net;

import java.time.Duration;

/**
 * Options of one TCP connection: immutable, validated when set, applied with {@code setsockopt}
 * when the socket is made (connect) or accepted (listener).
 *
 * <p>{@code 0} for a buffer size means "the kernel's default" (autotuned between
 * {@code net.ipv4.tcp_rmem}/{@code tcp_wmem}); a size set explicitly turns autotuning off for that
 * socket and the kernel doubles it for bookkeeping (read back with {@code getsockopt}). Thread-safe.
 */
public final class TcpOptions {
    /** The default bound of the user-space write queue: 256 KiB. */
    public static final int DEFAULT_WRITE_QUEUE_LIMIT = 256 * 1024;

    /** The default time a graceful close waits for the write queue to drain: 30 s. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private static final TcpOptions DEFAULTS = new TcpOptions(true, 0, 0, DEFAULT_WRITE_QUEUE_LIMIT, DEFAULT_CLOSE_TIMEOUT);

    private final boolean noDelay;
    private final int receiveBufferSize;
    private final int sendBufferSize;
    private final int writeQueueLimit;
    private final Duration closeTimeout;

    private TcpOptions(boolean noDelay, int receiveBufferSize, int sendBufferSize, int writeQueueLimit,
            Duration closeTimeout) {
        this.noDelay = noDelay;
        this.receiveBufferSize = receiveBufferSize;
        this.sendBufferSize = sendBufferSize;
        this.writeQueueLimit = writeQueueLimit;
        this.closeTimeout = closeTimeout;
    }

    /** {@code TCP_NODELAY} on, kernel buffer sizes, a 256 KiB write queue, a 30 s close timeout. */
    public static TcpOptions defaults() {
        return DEFAULTS;
    }

    /**
     * {@code TCP_NODELAY}: on (the default) sends small writes at once instead of waiting for
     * acknowledgements (Nagle's algorithm off).
     */
    public TcpOptions withNoDelay(boolean on) {
        return new TcpOptions(on, receiveBufferSize, sendBufferSize, writeQueueLimit, closeTimeout);
    }

    /**
     * {@code SO_RCVBUF}: the kernel receive buffer, which bounds the TCP window the peer may fill
     * while nobody reads.
     *
     * @param bytes {@code > 0}, or {@code 0} for the kernel's default
     * @throws IllegalArgumentException if negative
     */
    public TcpOptions withReceiveBufferSize(int bytes) {
        return new TcpOptions(noDelay, nonNegative(bytes, "receive buffer size"), sendBufferSize, writeQueueLimit,
                closeTimeout);
    }

    /**
     * {@code SO_SNDBUF}: the kernel send buffer, which bounds the bytes written but not yet acknowledged.
     *
     * @param bytes {@code > 0}, or {@code 0} for the kernel's default
     * @throws IllegalArgumentException if negative
     */
    public TcpOptions withSendBufferSize(int bytes) {
        return new TcpOptions(noDelay, receiveBufferSize, nonNegative(bytes, "send buffer size"), writeQueueLimit,
                closeTimeout);
    }

    /**
     * The bound of the user-space write queue: {@link TcpConnection#write} answers {@code false}
     * above it and {@link TcpConnection#send} stops requesting.
     *
     * @param bytes {@code >= 1}
     * @throws IllegalArgumentException if below 1
     */
    public TcpOptions withWriteQueueLimit(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("write queue limit must be at least 1 byte, was " + bytes);
        }
        return new TcpOptions(noDelay, receiveBufferSize, sendBufferSize, bytes, closeTimeout);
    }

    /**
     * How long a graceful {@link TcpConnection#close()} waits for the write queue to drain before
     * it resets the connection ({@code SO_LINGER} 0: the peer gets RST, the queued bytes are
     * dropped), so that a peer that never reads cannot hold the connection open forever.
     *
     * @param timeout positive
     * @throws IllegalArgumentException if not positive
     */
    public TcpOptions withCloseTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("close timeout must be positive, was " + timeout);
        }
        return new TcpOptions(noDelay, receiveBufferSize, sendBufferSize, writeQueueLimit, timeout);
    }

    /** Whether {@code TCP_NODELAY} is set. */
    public boolean noDelay() {
        return noDelay;
    }

    /** {@code SO_RCVBUF} to set, {@code 0} for the kernel's default. */
    public int receiveBufferSize() {
        return receiveBufferSize;
    }

    /** {@code SO_SNDBUF} to set, {@code 0} for the kernel's default. */
    public int sendBufferSize() {
        return sendBufferSize;
    }

    /** The bound of the user-space write queue in bytes. */
    public int writeQueueLimit() {
        return writeQueueLimit;
    }

    /** How long a graceful close waits for the write queue before it resets the connection. */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    private static int nonNegative(int bytes, String what) {
        if (bytes < 0) {
            throw new IllegalArgumentException(what + " must be >= 0 (0: the kernel's default), was " + bytes);
        }
        return bytes;
    }

    @Override
    public String toString() {
        return "TcpOptions[noDelay=" + noDelay + ", rcvbuf=" + receiveBufferSize + ", sndbuf=" + sendBufferSize
                + ", writeQueueLimit=" + writeQueueLimit + ", closeTimeout=" + closeTimeout + "]";
    }
}
