package io.aem.linux.net;

import io.aem.linux.loop.EventLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test server that echoes every connection through the loop-thread fast path: each chunk is
 * written with {@link TcpConnection#write}; when the write queue is above its limit it stops
 * requesting until {@link TcpConnection#onWritable}. End of stream closes the connection.
 */
final class EchoServer implements AutoCloseable {
    final TcpListener listener;
    final List<TcpConnection> connections = new CopyOnWriteArrayList<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final AtomicLong echoed = new AtomicLong();
    private final boolean borrowed;

    private EchoServer(TcpListener listener, boolean borrowed) {
        this.listener = listener;
        this.borrowed = borrowed;
    }

    static EchoServer start(EventLoop loop, InetSocketAddress address, boolean borrowed) throws IOException {
        EchoServer server = new EchoServer(TcpListener.open(loop, TcpListenOptions.on(address)), borrowed);
        server.listener.connections().subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(TcpConnection c) {
                server.connections.add(c);
                server.echo(c);
            }

            @Override
            public void onError(Throwable t) {
                server.errors.add(t);
            }

            @Override
            public void onComplete() {
            }
        });
        return server;
    }

    InetSocketAddress address() {
        return listener.localAddress();
    }

    private void echo(TcpConnection c) {
        Flow.Publisher<ByteBuffer> in = borrowed ? c.receiveBorrowed() : c.receive();
        in.subscribe(new Flow.Subscriber<>() {
            private Flow.Subscription s;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                this.s = s;
                s.request(1);
            }

            @Override
            public void onNext(ByteBuffer b) {
                echoed.addAndGet(b.remaining());
                if (c.write(b)) {
                    s.request(1);
                } else {
                    c.onWritable(() -> s.request(1));
                }
            }

            @Override
            public void onError(Throwable t) {
                errors.add(t);
                c.close();
            }

            @Override
            public void onComplete() {
                c.close();
            }
        });
    }

    @Override
    public void close() {
        listener.close();
        connections.forEach(TcpConnection::close);
    }
}
