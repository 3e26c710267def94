package io.aem.reactor;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.net.TcpConnection;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.reactivestreams.Publisher;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One TCP connection with Reactor faces: {@link #receive()} a {@link Flux} whose demand is
 * {@code EPOLLIN} interest, {@link #send} a {@link Mono} of the bytes written under
 * {@code EPOLLOUT} writability with a bounded queue. Signals on the connection's loop thread.
 * Thread-safe; see {@link TcpConnection} for the closing rules.
 */
public final class AemTcpConnection implements AutoCloseable {
    private final TcpConnection connection;

    /**
     * Wraps a native connection.
     *
     * @param connection the connection
     */
    public AemTcpConnection(TcpConnection connection) {
        this.connection = Objects.requireNonNull(connection, "connection");
    }

    /** The native connection (its loop-thread fast path {@code write}/{@code onWritable}, and {@code receiveBorrowed}). */
    public TcpConnection connection() {
        return connection;
    }

    /** The serving loop. */
    public EventLoop loop() {
        return connection.loop();
    }

    /** The local address. */
    public InetSocketAddress localAddress() {
        return connection.localAddress();
    }

    /** The peer's address. */
    public InetSocketAddress remoteAddress() {
        return connection.remoteAddress();
    }

    /**
     * The received bytes, each chunk a fresh buffer the subscriber owns. One subscriber per
     * connection; completes at the peer's end of stream, fails with
     * {@link io.aem.linux.net.ConnectionResetException} on reset; cancel closes the connection.
     */
    public Flux<ByteBuffer> receive() {
        return JdkFlowAdapter.flowPublisherToFlux(connection.receive());
    }

    /**
     * Writes the publisher's buffers, requesting a bounded number; subscribing starts it.
     *
     * @param data the bytes
     * @return the bytes written, once handed to the kernel; errors as {@link TcpConnection#send}
     */
    public Mono<Long> send(Publisher<ByteBuffer> data) {
        Objects.requireNonNull(data, "data");
        return Mono.defer(() -> Mono.fromCompletionStage(
                connection.send(JdkFlowAdapter.publisherToFlowPublisher(data))));
    }

    /** Half-close after the queued bytes (FIN); receiving goes on. Any thread. */
    public void shutdownOutput() {
        connection.shutdownOutput();
    }

    /** Graceful close after the queued bytes. Any thread; idempotent. */
    @Override
    public void close() {
        connection.close();
    }

    /** RST now, queued bytes dropped. Any thread. */
    public void reset() {
        connection.reset();
    }

    @Override
    public String toString() {
        return connection.toString();
    }
}
