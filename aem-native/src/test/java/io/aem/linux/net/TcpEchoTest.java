package io.aem.linux.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.OpenFds;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FdLeakCheck.class)
class TcpEchoTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static EventLoop loop;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("tcp-echo-test");
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    private static byte[] pattern(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    @ParameterizedTest(name = "{0}, borrowed receive: {1}")
    @CsvSource({"127.0.0.1, false", "127.0.0.1, true", "::1, false", "::1, true"})
    void aBlockingClientGetsItsBytesBackByteExact(String host, boolean borrowed) throws Exception {
        Map<Integer, String> before = OpenFds.snapshot();
        byte[] data = pattern(3 * 1024 * 1024 + 17, 1);
        try (EchoServer server = EchoServer.start(loop, new InetSocketAddress(InetAddress.getByName(host), 0), borrowed);
             Socket client = new Socket()) {
            assertThat(server.address().getPort()).isPositive();
            assertThat(server.address().getAddress()).isEqualTo(InetAddress.getByName(host));
            client.connect(server.address());
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = client.getOutputStream();
                    out.write(data);
                    client.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            InputStream in = client.getInputStream();
            byte[] back = in.readAllBytes();
            writer.join();
            assertThat(back).isEqualTo(data);
            assertThat(server.echoed.get()).isEqualTo(data.length);
            assertThat(server.errors).isEmpty();
            TcpConnection accepted = server.connections.get(0);
            assertThat(accepted.remoteAddress()).isEqualTo(client.getLocalSocketAddress());
            assertThat(accepted.localAddress()).isEqualTo(server.address());
        }
        OpenFds.awaitClosedSince(before, "echo " + host, WAIT);
    }

    @ParameterizedTest(name = "{0}, borrowed receive: {1}")
    @CsvSource({"127.0.0.1, false", "127.0.0.1, true", "::1, false", "::1, true"})
    void aLoopClientSendsAPublisherAndReceivesTheEcho(String host, boolean borrowed) throws Exception {
        byte[] data = pattern(2 * 1024 * 1024 + 5, 2);
        try (EchoServer server = EchoServer.start(loop, new InetSocketAddress(InetAddress.getByName(host), 0), borrowed)) {
            TcpConnection client = TcpConnection.connect(loop, server.address(), TcpOptions.defaults())
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(client.remoteAddress()).isEqualTo(server.address());
            assertThat(client.localAddress().getAddress()).isEqualTo(InetAddress.getByName(host));
            ByteSink sink = new ByteSink(true, true);
            (borrowed ? client.receiveBorrowed() : client.receive()).subscribe(sink);
            long written;
            try (SubmissionPublisher<ByteBuffer> publisher = new SubmissionPublisher<>()) {
                var sent = client.send(publisher).toCompletableFuture();
                for (int off = 0; off < data.length; off += 10_000) {
                    publisher.submit(ByteBuffer.wrap(data, off, Math.min(10_000, data.length - off)));
                }
                publisher.close();
                written = sent.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            assertThat(written).isEqualTo(data.length);
            client.shutdownOutput();
            assertThat(sink.done.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(data);
            client.close();
        }
    }
}
