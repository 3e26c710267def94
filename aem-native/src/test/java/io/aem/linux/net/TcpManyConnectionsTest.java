package io.aem.linux.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.OpenFds;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(FdLeakCheck.class)
class TcpManyConnectionsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int CONNECTIONS = 1000;
    private static EventLoop serverLoop;
    private static EventLoop clientLoop;

    @BeforeAll
    static void startLoops() throws Exception {
        serverLoop = EventLoop.open("tcp-many-server");
        clientLoop = EventLoop.open("tcp-many-client");
    }

    @AfterAll
    static void stopLoops() {
        serverLoop.close();
        clientLoop.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void aThousandConcurrentConnectionsEachGetTheirOwnBytesBack(String host) throws Exception {
        Map<Integer, String> before = OpenFds.snapshot();
        try (EchoServer server = EchoServer.start(serverLoop, new InetSocketAddress(InetAddress.getByName(host), 0), true)) {
            List<CompletableFuture<TcpConnection>> connecting = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                connecting.add(TcpConnection.connect(clientLoop, server.address(), TcpOptions.defaults()));
            }
            CompletableFuture.allOf(connecting.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            // The server accepts them all: 1000 client + 1000 server sockets + the listener, open at once.
            org.awaitility.Awaitility.await().atMost(WAIT).until(() -> server.connections.size() == CONNECTIONS);
            long sockets = OpenFds.openedSince(before).values().stream().filter(t -> t.startsWith("socket:")).count();
            assertThat(sockets).isEqualTo(2L * CONNECTIONS + 1);
            List<byte[]> sent = new ArrayList<>();
            List<ByteSink> sinks = new ArrayList<>();
            Random random = new Random(5);
            for (CompletableFuture<TcpConnection> f : connecting) {
                TcpConnection c = f.join();
                byte[] data = new byte[1024 + random.nextInt(4096)];
                random.nextBytes(data);
                sent.add(data);
                ByteSink sink = new ByteSink(true, true);
                sinks.add(sink);
                c.receive().subscribe(sink);
                clientLoop.execute(() -> {
                    c.write(ByteBuffer.wrap(data));
                    c.shutdownOutput();
                });
            }
            for (int i = 0; i < CONNECTIONS; i++) {
                assertThat(sinks.get(i).done.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("echo of connection %d", i).isEqualTo(sent.get(i));
            }
            assertThat(server.errors).isEmpty();
            // Each server connection closed itself at its peer's end of stream; the clients and the listener remain.
            org.awaitility.Awaitility.await().atMost(WAIT).until(() ->
                    OpenFds.openedSince(before).values().stream().filter(t -> t.startsWith("socket:")).count() == CONNECTIONS + 1);
            connecting.forEach(f -> f.join().close());
        }
        OpenFds.awaitClosedSince(before, "1000 connections on " + host, WAIT);
    }
}
