package io.aem.reactor;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.net.TcpListener;
import java.net.InetSocketAddress;
import java.util.Objects;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * A listening TCP socket whose accepted connections are a {@link Flux}: the flux's demand drives
 * {@code accept4}; without demand the kernel's backlog holds completed connections. One
 * subscriber; signals on the listener's loop thread. Made by {@link Aem#listen}.
 */
public final class AemTcpListener implements Disposable, AutoCloseable {
    private final TcpListener listener;

    AemTcpListener(TcpListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** The bound address (the kernel's port when 0 was asked). */
    public InetSocketAddress localAddress() {
        return listener.localAddress();
    }

    /** The loop that accepts and serves the connections. */
    public EventLoop loop() {
        return listener.loop();
    }

    /** The native listener. */
    public TcpListener listener() {
        return listener;
    }

    /**
     * The accepted connections; the subscriber owns each and closes it. One subscriber (a second
     * gets {@link IllegalStateException}); completes when the listener closes; cancel closes the
     * listener. Errors as {@link TcpListener#connections()}.
     */
    public Flux<AemTcpConnection> connections() {
        return JdkFlowAdapter.flowPublisherToFlux(listener.connections()).map(AemTcpConnection::new);
    }

    /** Closes the listening socket; connections already accepted stay open. Any thread; idempotent. */
    @Override
    public void close() {
        listener.close();
    }

    /** Same as {@link #close()}. */
    @Override
    public void dispose() {
        close();
    }

    @Override
    public String toString() {
        return listener.toString();
    }
}
