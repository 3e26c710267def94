package io.aem.linux.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.sys.Sockets;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.OpenFds;
import io.aem.linux.testing.QueueingSubscriber;
import io.aem.linux.testing.RecordingSubscriber;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(FdLeakCheck.class)
class TcpLifecycleTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static EventLoop loop;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("tcp-lifecycle-test");
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    private static InetSocketAddress loopback(String host) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(host), 0);
    }

    /** Lets the loop finish what it was handed and turn a few times. */
    private static void turns() {
        for (int i = 0; i < 5; i++) {
            CompletableFuture.runAsync(() -> { }, loop).join();
        }
    }

    private static void echoOnce(Socket client, String text) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        client.getOutputStream().write(bytes);
        byte[] back = client.getInputStream().readNBytes(bytes.length);
        assertThat(new String(back, StandardCharsets.US_ASCII)).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void withoutDemandTheBacklogHoldsCompletedConnectionsUntilRequested(String host) throws Exception {
        try (TcpListener listener = TcpListener.open(loop, TcpListenOptions.on(loopback(host)).withBacklog(8))) {
            QueueingSubscriber<TcpConnection> accepted = new QueueingSubscriber<>();
            listener.connections().subscribe(accepted);
            try (Socket first = new Socket(); Socket second = new Socket()) {
                first.connect(listener.localAddress(), 5000);   // the kernel completes the handshake
                second.connect(listener.localAddress(), 5000);
                first.getOutputStream().write(7);             // and buffers data for the unaccepted socket
                turns();
                assertThat(accepted.items).as("accepted without demand").isEmpty();

                accepted.request(1);
                TcpConnection c = accepted.items.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(c.remoteAddress()).isEqualTo(first.getLocalSocketAddress());
                turns();
                assertThat(accepted.items).as("accepted beyond the demand of 1").isEmpty();
                accepted.request(1);
                TcpConnection d = accepted.items.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(d.remoteAddress()).isEqualTo(second.getLocalSocketAddress());
                ByteSink sink = new ByteSink(true, true);
                c.receive().subscribe(sink);
                first.shutdownOutput();
                assertThat(sink.done.get(WAIT.toSeconds(), TimeUnit.SECONDS)).containsExactly(7);
                c.close();
                d.close();
            }
        }
    }

    @Test
    void cancellingOneReceiveClosesOnlyThatConnection() throws Exception {
        Map<Integer, String> before = OpenFds.snapshot();
        try (TcpListener listener = TcpListener.open(loop, TcpListenOptions.on(loopback("127.0.0.1")))) {
            QueueingSubscriber<TcpConnection> accepted = new QueueingSubscriber<>();
            listener.connections().subscribe(accepted);
            accepted.request(Long.MAX_VALUE);
            List<Socket> clients = new ArrayList<>();
            List<Flow.Subscription> receives = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket s = new Socket();
                    clients.add(s);
                    s.connect(listener.localAddress());
                    TcpConnection c = accepted.items.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                    CompletableFuture<Flow.Subscription> sub = new CompletableFuture<>();
                    c.receive().subscribe(new Flow.Subscriber<>() {
                        private Flow.Subscription s;

                        @Override
                        public void onSubscribe(Flow.Subscription s) {
                            this.s = s;
                            sub.complete(s);
                            s.request(1);
                        }

                        @Override
                        public void onNext(ByteBuffer b) {
                            c.write(b);
                            s.request(1);
                        }

                        @Override
                        public void onError(Throwable t) {
                            c.close();
                        }

                        @Override
                        public void onComplete() {
                            c.close();
                        }
                    });
                    receives.add(sub.join());
                }
                for (Socket s : clients) {
                    echoOnce(s, "before");
                }
                long socketsBefore = OpenFds.openedSince(before).values().stream().filter(t -> t.startsWith("socket:")).count();
                receives.get(1).cancel();
                assertThat(clients.get(1).getInputStream().read()).as("the cancelled connection's peer sees end of stream").isEqualTo(-1);
                echoOnce(clients.get(0), "still echoing");
                echoOnce(clients.get(2), "still echoing too");
                org.awaitility.Awaitility.await().atMost(WAIT).until(() ->
                        OpenFds.openedSince(before).values().stream().filter(t -> t.startsWith("socket:")).count() == socketsBefore - 1);
            } finally {
                for (Socket s : clients) {
                    s.close();
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void shutdownOutputEndsThePeersStreamWhileTheOtherDirectionGoesOn(String host) throws Exception {
        try (TcpListener listener = TcpListener.open(loop, TcpListenOptions.on(loopback(host)))) {
            QueueingSubscriber<TcpConnection> accepted = new QueueingSubscriber<>();
            listener.connections().subscribe(accepted);
            accepted.request(1);
            TcpConnection client = TcpConnection.connect(loop, listener.localAddress(), TcpOptions.defaults())
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            TcpConnection server = accepted.items.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            ByteSink atServer = new ByteSink(true, true);
            server.receiveBorrowed().subscribe(atServer);
            ByteSink atClient = new ByteSink(true, true);
            client.receive().subscribe(atClient);

            loop.execute(() -> client.write(ByteBuffer.wrap("question".getBytes(StandardCharsets.US_ASCII))));
            client.shutdownOutput();
            assertThat(new String(atServer.done.get(WAIT.toSeconds(), TimeUnit.SECONDS), StandardCharsets.US_ASCII))
                    .isEqualTo("question");
            assertThat(CompletableFuture.supplyAsync(() -> client.write(ByteBuffer.allocate(1)), loop).join())
                    .as("write after shutdownOutput").isFalse();
            // The server's stream ended; its output is open: the answer goes back, then its FIN.
            loop.execute(() -> server.write(ByteBuffer.wrap("answer".getBytes(StandardCharsets.US_ASCII))));
            server.close();
            assertThat(new String(atClient.done.get(WAIT.toSeconds(), TimeUnit.SECONDS), StandardCharsets.US_ASCII))
                    .isEqualTo("answer");
            client.close();
        }
    }

    @Test
    void closingTheLoopEndsEveryStreamAndClosesEverySocket() throws Exception {
        Map<Integer, String> before = OpenFds.snapshot();
        EventLoop own = EventLoop.open("tcp-closing-loop");
        TcpListener listener = TcpListener.open(own, TcpListenOptions.on(loopback("127.0.0.1")));
        TcpListener idle = TcpListener.open(own, TcpListenOptions.on(loopback("::1")));
        QueueingSubscriber<TcpConnection> accepted = new QueueingSubscriber<>();
        listener.connections().subscribe(accepted);
        accepted.request(1);
        TcpConnection client = TcpConnection.connect(own, listener.localAddress(), TcpOptions.defaults())
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        TcpConnection server = accepted.items.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        ByteSink receiving = new ByteSink(false, true);
        server.receive().subscribe(receiving);
        turns(own);
        own.close();
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> receiving.done.get(WAIT.toSeconds(), TimeUnit.SECONDS)))
                .hasCauseInstanceOf(io.aem.linux.loop.EventLoopClosedException.class);
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> accepted.done.get(WAIT.toSeconds(), TimeUnit.SECONDS)))
                .hasCauseInstanceOf(io.aem.linux.loop.EventLoopClosedException.class);
        idle.close(); // never subscribed: its close after the loop's closes the fd on the calling thread
        client.close();
        OpenFds.awaitClosedSince(before, "closed loop", WAIT);
    }

    private static void turns(EventLoop l) {
        for (int i = 0; i < 3; i++) {
            CompletableFuture.runAsync(() -> { }, l).join();
        }
    }

    @Test
    void shutdownOutputDuringASendFailsTheSendAndThePeerSeesEndOfStream() throws Exception {
        try (java.net.ServerSocket peer = new java.net.ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            TcpConnection c = TcpConnection.connect(loop, (InetSocketAddress) peer.getLocalSocketAddress(), TcpOptions.defaults())
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            try (Socket s = peer.accept()) {
                CompletableFuture<Long> sent = c.send(Endless.zeros(4096)).toCompletableFuture();
                c.shutdownOutput();
                Throwable error = org.assertj.core.api.Assertions.catchThrowable(() -> sent.get(WAIT.toSeconds(), TimeUnit.SECONDS));
                assertThat(error).cause().isInstanceOf(ConnectionClosedException.class).hasMessageContaining("output shut");
                assertThat(s.getInputStream().readAllBytes().length % 4096).as("whole buffers before the FIN").isZero();
                c.close();
            }
        }
    }

    @Test
    void closeSendsTheQueuedBytesFirst() throws Exception {
        try (java.net.ServerSocket peer = new java.net.ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            TcpConnection c = TcpConnection.connect(loop, (InetSocketAddress) peer.getLocalSocketAddress(),
                    TcpOptions.defaults().withSendBufferSize(16 * 1024)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            try (Socket s = peer.accept()) {
                byte[] data = new byte[4 * 1024 * 1024];
                new java.util.Random(3).nextBytes(data);
                long queued = CompletableFuture.supplyAsync(() -> {
                    c.write(ByteBuffer.wrap(data));
                    return c.queuedBytes();
                }, loop).join();
                assertThat(queued).as("bytes the socket did not take at once").isPositive();
                c.close();
                InputStream in = s.getInputStream();
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
        }
    }

    @Test
    void aCloseWhoseQueueDoesNotDrainResetsTheConnectionAfterTheCloseTimeout() throws Exception {
        try (java.net.ServerSocket peer = new java.net.ServerSocket()) {
            peer.setReceiveBufferSize(16 * 1024);
            peer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
            TcpConnection c = TcpConnection.connect(loop, (InetSocketAddress) peer.getLocalSocketAddress(),
                    TcpOptions.defaults().withSendBufferSize(16 * 1024).withCloseTimeout(Duration.ofMillis(300)))
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            try (Socket s = peer.accept()) {
                byte[] data = new byte[4 * 1024 * 1024];
                long queued = CompletableFuture.supplyAsync(() -> {
                    c.write(ByteBuffer.wrap(data));
                    return c.queuedBytes();
                }, loop).join();
                assertThat(queued).as("bytes the socket did not take at once").isPositive();
                long closedAt = System.nanoTime();
                c.close();
                // The peer does not read; once the timeout has passed the connection is reset.
                await().atMost(WAIT).until(() -> CompletableFuture.supplyAsync(c::queuedBytes, loop).join() == 0);
                assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
                InputStream in = s.getInputStream();
                assertThatThrownBy(in::readAllBytes).isInstanceOf(java.net.SocketException.class)
                        .hasMessageContaining("reset");
            }
        }
    }

    @Test
    void manySmallWritesQueuedBehindAFullSocketArriveInOrder() throws Exception {
        try (java.net.ServerSocket peer = new java.net.ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            TcpConnection c = TcpConnection.connect(loop, (InetSocketAddress) peer.getLocalSocketAddress(),
                    TcpOptions.defaults().withSendBufferSize(8 * 1024).withWriteQueueLimit(4 * 1024 * 1024))
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            try (Socket s = peer.accept()) {
                int messages = 20_000;
                java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
                for (int i = 0; i < messages; i++) {
                    expected.writeBytes(("message " + i + ";").getBytes(StandardCharsets.US_ASCII));
                }
                long queued = CompletableFuture.supplyAsync(() -> {
                    for (int i = 0; i < messages; i++) {
                        c.write(ByteBuffer.wrap(("message " + i + ";").getBytes(StandardCharsets.US_ASCII)));
                    }
                    return c.queuedBytes();
                }, loop).join();
                assertThat(queued).as("bytes queued behind the full socket").isPositive();
                c.close();
                assertThat(s.getInputStream().readAllBytes()).isEqualTo(expected.toByteArray());
            }
        }
    }

    @Test
    void optionsAreAppliedToAcceptedAndConnectedSockets() throws Exception {
        TcpOptions accepted = TcpOptions.defaults().withNoDelay(false).withReceiveBufferSize(100_000);
        TcpOptions connecting = TcpOptions.defaults().withNoDelay(true).withSendBufferSize(50_000);
        try (TcpListener listener = TcpListener.open(loop, TcpListenOptions.on(loopback("::1")).withConnectionOptions(accepted))) {
            QueueingSubscriber<TcpConnection> sub = new QueueingSubscriber<>();
            listener.connections().subscribe(sub);
            sub.request(1);
            TcpConnection client = TcpConnection.connect(loop, listener.localAddress(), connecting).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            TcpConnection server = sub.items.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            Map<String, Integer> read = CompletableFuture.supplyAsync(() -> Map.of(
                    "server nodelay", server.socketOption(Sockets.IPPROTO_TCP, Sockets.TCP_NODELAY),
                    "server rcvbuf", server.socketOption(Sockets.SOL_SOCKET, Sockets.SO_RCVBUF),
                    "client nodelay", client.socketOption(Sockets.IPPROTO_TCP, Sockets.TCP_NODELAY),
                    "client sndbuf", client.socketOption(Sockets.SOL_SOCKET, Sockets.SO_SNDBUF)), loop).join();
            assertThat(read).containsEntry("server nodelay", 0).containsEntry("client nodelay", 1)
                    .containsEntry("server rcvbuf", 200_000).containsEntry("client sndbuf", 100_000);
            client.close();
            server.close();
        }
    }

    @Test
    void aSecondReceiveSubscriberIsRefusedAndTheFirstKeepsTheStream() throws Exception {
        try (TcpListener listener = TcpListener.open(loop, TcpListenOptions.on(loopback("127.0.0.1")))) {
            QueueingSubscriber<TcpConnection> sub = new QueueingSubscriber<>();
            listener.connections().subscribe(sub);
            sub.request(1);
            RecordingSubscriber<TcpConnection> second = new RecordingSubscriber<>(1);
            listener.connections().subscribe(second);
            assertThat(second.error()).isInstanceOf(IllegalStateException.class);
            try (Socket s = new Socket()) {
                s.connect(listener.localAddress());
                TcpConnection c = sub.items.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                ByteSink first = new ByteSink(true, true);
                c.receive().subscribe(first);
                RecordingSubscriber<ByteBuffer> other = new RecordingSubscriber<>(1);
                c.receiveBorrowed().subscribe(other);
                assertThat(other.error()).isInstanceOf(IllegalStateException.class).hasMessageContaining("already has a subscriber");
                OutputStream out = s.getOutputStream();
                out.write(new byte[] {4, 2});
                s.shutdownOutput();
                assertThat(first.done.get(WAIT.toSeconds(), TimeUnit.SECONDS)).containsExactly(4, 2);
                c.close();
            }
            listener.close();
            sub.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }
}
