package io.aem.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.net.ConnectionRefusedException;
import io.aem.linux.net.TcpListenOptions;
import io.aem.linux.testing.FdLeakCheck;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

@ExtendWith(FdLeakCheck.class)
class AemTcpTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static Aem aem;

    @BeforeAll
    static void start() {
        aem = Aem.create(2);
    }

    @AfterAll
    static void stop() {
        aem.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void anEchoServerOfFluxesReturnsEveryByte(String host) throws Exception {
        byte[] data = new byte[5 * 1024 * 1024 + 3];
        new Random(9).nextBytes(data);
        try (AemTcpListener listener = aem.listen(TcpListenOptions.on(new InetSocketAddress(InetAddress.getByName(host), 0)))) {
            // Each connection's receive feeds its own send: the send's bounded requests are the receive's EPOLLIN demand.
            listener.connections()
                    .flatMap(c -> c.send(c.receive()).doFinally(s -> c.close()))
                    .subscribe();
            byte[] back = aem.connect(listener.localAddress())
                    .flatMap(c -> {
                        Mono<byte[]> received = c.receive()
                                .reduce(new ByteArrayOutputStream(), (out, b) -> {
                                    byte[] a = new byte[b.remaining()];
                                    b.get(a);
                                    out.write(a, 0, a.length);
                                    return out;
                                })
                                .map(ByteArrayOutputStream::toByteArray);
                        Mono<Long> sent = c.send(Flux.range(0, (data.length + 8191) / 8192)
                                        .map(i -> ByteBuffer.wrap(data, i * 8192, Math.min(8192, data.length - i * 8192))))
                                .doOnSuccess(n -> c.shutdownOutput());
                        return Mono.zip(received, sent).map(t -> t.getT1()).doFinally(s -> c.close());
                    })
                    .block(WAIT);
            assertThat(back).isEqualTo(data);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void aRefusedConnectIsATypedErrorNamingTheAddress(String host) throws Exception {
        InetSocketAddress address;
        try (AemTcpListener listener = aem.listen(TcpListenOptions.on(new InetSocketAddress(InetAddress.getByName(host), 0)))) {
            address = listener.localAddress();
        }
        StepVerifier.create(aem.connect(address))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ConnectionRefusedException.class)
                        .hasMessageContaining(address.toString()))
                .verify(WAIT);
    }
}
