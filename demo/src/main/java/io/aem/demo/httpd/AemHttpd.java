package io.aem.demo.httpd;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.net.TcpConnection;
import io.aem.linux.net.TcpListenOptions;
import io.aem.linux.net.TcpListener;
import io.aem.linux.sys.Limits;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * AEMhttpd: a single-threaded HTTP/1.1 server on the project's TCP socket events.
 *
 * <p><b>Serves</b> {@code GET}/{@code HEAD /hello}, a fixed {@code Hello, World!} (see
 * {@link HttpResponses}), and every other path as a static file under the root
 * ({@link StaticFiles}: no path escape); 405 with {@code allow: GET, HEAD} for other methods; the
 * parser's 400/413/414/431/501 followed by a close. Keep-alive and pipelining: responses are
 * written in request order.
 *
 * <p><b>Threading.</b> One {@link EventLoop} thread does everything: accepting, reading, parsing,
 * file lookups and writing. No other thread runs server code; {@link #close()} may be called from
 * any thread.
 *
 * <p><b>Accepting under demand.</b> The server keeps demand on the listener's connection stream,
 * so it drains the kernel backlog, but never beyond {@link #maxConnections()}: the
 * {@code RLIMIT_NOFILE} soft limit minus the fds open at start minus a headroom of
 * {@value #FD_HEADROOM} (files being sent, the JVM's own). At that bound it stops accepting and
 * the kernel backlog holds new connections until one closes.
 *
 * <p><b>Costs.</b> An idle keep-alive connection costs its socket fd, the TCP layer's state and
 * one {@link HttpConnection} with its parser; nothing runs for it until bytes arrive. There is
 * no idle timeout.
 */
public final class AemHttpd implements AutoCloseable {
    /** The fds kept free for files being sent and the JVM when bounding connections. */
    public static final int FD_HEADROOM = 64;
    private static final int ACCEPT_BATCH = 256;
    private static final int FILE_CHUNK = 64 * 1024;

    private final EventLoop loop;
    private final TcpListener listener;
    private final StaticFiles files;
    private final int maxConnections;
    private final ByteBuffer chunk = ByteBuffer.allocateDirect(FILE_CHUNK);
    private final ByteBuffer[] hello = new ByteBuffer[6];
    /** Loop thread only. */
    private final Set<HttpConnection> connections = new LinkedHashSet<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private Flow.@Nullable Subscription accepting;
    private long acceptDemand;

    private AemHttpd(EventLoop loop, TcpListener listener, StaticFiles files, int maxConnections) {
        this.loop = loop;
        this.listener = listener;
        this.files = files;
        this.maxConnections = maxConnections;
        for (ConnectionHeader header : ConnectionHeader.values()) {
            hello[header.ordinal() * 2] = HttpResponses.hello(false, header);
            hello[header.ordinal() * 2 + 1] = HttpResponses.hello(true, header);
        }
    }

    /**
     * Starts a server: checks the root, opens its event loop, binds and listens, and starts
     * accepting. Returns once it listens.
     *
     * @param options where to listen and what to serve
     * @return the running server
     * @throws java.nio.file.NoSuchFileException   if the root does not exist
     * @throws java.nio.file.NotDirectoryException if the root is not a directory
     * @throws IOException                         if the loop cannot start or the address cannot be bound (address in use, fd limit: typed by the TCP layer)
     */
    public static AemHttpd start(HttpdOptions options) throws IOException {
        StaticFiles files = new StaticFiles(options.root());
        EventLoop loop = EventLoop.open("aemhttpd");
        TcpListener listener;
        try {
            listener = TcpListener.open(loop, TcpListenOptions.on(options.address()));
        } catch (IOException | RuntimeException e) {
            loop.close();
            throw e;
        }
        AemHttpd server = new AemHttpd(loop, listener, files, connectionBound());
        listener.connections().subscribe(server.new Acceptor());
        return server;
    }

    private static int connectionBound() {
        long[] limit = Limits.rlimit(Limits.RLIMIT_NOFILE);
        long soft = limit == null || limit[0] < 0 ? 1L << 20 : limit[0];
        String[] fds = new File("/proc/self/fd").list();
        long inUse = fds == null ? 0 : fds.length;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, soft - inUse - FD_HEADROOM));
    }

    /** The address listened on (the real port when port 0 was asked). */
    public InetSocketAddress localAddress() {
        return listener.localAddress();
    }

    /** The event loop running the server. */
    public EventLoop loop() {
        return loop;
    }

    /** The most connections open at once (from {@code RLIMIT_NOFILE}); beyond, the kernel backlog holds them. */
    public int maxConnections() {
        return maxConnections;
    }

    /** The connections open now; any thread. */
    public int openConnections() {
        return open.get();
    }

    /**
     * Stops: closes the listener and every connection (gracefully: queued bytes first, as far as
     * the loop still runs), then the event loop, and waits for its thread to end. Any thread
     * except the loop's own; idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            loop.execute(() -> {
                listener.close();
                for (HttpConnection connection : new ArrayList<>(connections)) {
                    connection.close();
                }
            });
        } catch (EventLoopClosedException e) {
            // The loop already ended: it closed every connection and the listener with it.
        } finally {
            loop.close();
            loop.terminationFuture().join();
            listener.close();
            stopped.countDown();
        }
    }

    /**
     * Waits until the server is closed or the time has passed.
     *
     * @param timeout the most to wait; {@code <= 0} to wait until closed
     * @param unit    its unit
     * @return true when closed
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitClosed(long timeout, TimeUnit unit) throws InterruptedException {
        if (timeout <= 0) {
            stopped.await();
            return true;
        }
        return stopped.await(timeout, unit);
    }

    StaticFiles files() {
        return files;
    }

    ByteBuffer chunkBuffer() {
        return chunk;
    }

    /** The shared pre-encoded hello response, rewound; {@code write} copies what it queues, so one buffer serves all. */
    ByteBuffer hello(boolean head, ConnectionHeader header) {
        ByteBuffer response = hello[header.ordinal() * 2 + (head ? 1 : 0)];
        response.rewind();
        return response;
    }

    void connectionClosed(HttpConnection connection) {
        if (connections.remove(connection)) {
            open.decrementAndGet();
            acceptMore();
        }
    }

    private void acceptMore() {
        Flow.Subscription s = accepting;
        if (s == null || closed.get()) {
            return;
        }
        long room = (long) maxConnections - connections.size() - acceptDemand;
        if (room > 0 && acceptDemand < ACCEPT_BATCH / 2) {
            long n = Math.min(room, ACCEPT_BATCH - acceptDemand);
            acceptDemand += n;
            s.request(n);
        }
    }

    /** Takes accepted connections on the loop thread and keeps demand up to the connection bound. */
    private final class Acceptor implements Flow.Subscriber<TcpConnection> {
        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            loop.execute(() -> {
                accepting = subscription;
                acceptMore();
            });
        }

        @Override
        public void onNext(TcpConnection tcp) {
            acceptDemand--;
            if (closed.get()) {
                tcp.close();
                return;
            }
            HttpConnection connection = new HttpConnection(AemHttpd.this, tcp);
            connections.add(connection);
            open.incrementAndGet();
            tcp.receiveBorrowed().subscribe(connection);
            acceptMore();
        }

        @Override
        public void onError(Throwable error) {
            accepting = null;
            if (!closed.get()) {
                System.err.println("AEMhttpd: accepting failed, no new connections: " + error);
            }
        }

        @Override
        public void onComplete() {
            accepting = null;
        }
    }

    /**
     * Runs the server from the command line until SIGTERM/SIGINT or {@code --run-for} elapses;
     * prints {@code AEMhttpd listening on <host:port>} once it listens.
     *
     * @param args {@code --port=N --root=DIR [--host=127.0.0.1] [--run-for=DURATION]}
     * @throws IOException          if the server cannot start
     * @throws InterruptedException if interrupted while running
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        HttpdOptions options = HttpdOptions.parse(args);
        AemHttpd server = start(options);
        Thread hook = new Thread(server::close, "aemhttpd-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        InetSocketAddress address = server.localAddress();
        String host = address.getAddress().getHostAddress();
        System.out.println("AEMhttpd listening on " + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort());
        System.out.flush();
        try {
            if (options.runFor() == null) {
                server.awaitClosed(0, TimeUnit.MILLISECONDS);
            } else if (!server.awaitClosed(options.runFor().toMillis(), TimeUnit.MILLISECONDS)) {
                System.out.println("AEMhttpd: --run-for=" + options.runFor() + " elapsed, stopping");
            }
        } finally {
            server.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is already shutting down: the hook runs or has run.
            }
        }
    }
}
