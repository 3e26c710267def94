package io.aem.linux.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.aem.linux.ResourceLimitException;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.sys.Io;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.FdLimit;
import io.aem.linux.testing.QueueingSubscriber;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(FdLeakCheck.class)
class TcpErrorsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static EventLoop loop;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("tcp-errors-test");
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    private static Throwable failure(CompletableFuture<?> future) {
        Throwable t = catchThrowable(() -> future.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertThat(t).isInstanceOf(ExecutionException.class);
        return t.getCause();
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void aConnectToAClosedPortIsAConnectionRefusedExceptionNamingTheAddress(String host) throws Exception {
        InetSocketAddress address;
        try (TcpListener listener = TcpListener.open(loop, TcpListenOptions.on(new InetSocketAddress(InetAddress.getByName(host), 0)))) {
            address = listener.localAddress();
        }
        Throwable error = failure(TcpConnection.connect(loop, address, TcpOptions.defaults()));
        assertThat(error).isInstanceOf(ConnectionRefusedException.class)
                .hasMessageContaining(address.toString()).hasMessageContaining("ECONNREFUSED");
        assertThat(((ConnectionRefusedException) error).address()).isEqualTo(address);
    }

    @Test
    void anIpv4ConnectWithoutARouteIsAnUnreachableAddressExceptionNamingTheAddress() throws Exception {
        String host = "10.1.2.3";
        // A loop in a new network namespace: no interface is up and there is no route at all.
        try (EventLoop isolated = EventLoop.open(io.aem.linux.loop.EventLoopOptions.defaults().withName("tcp-no-route")
                .withThreadFactory(io.aem.linux.testing.NetworkNamespaces.factoryInNewNamespace("tcp-no-route")))) {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(host), 80);
            Throwable error = failure(TcpConnection.connect(isolated, address, TcpOptions.defaults()));
            assertThat(error).isInstanceOf(UnreachableAddressException.class)
                    .hasMessageContaining(address.toString()).hasMessageContaining("ENETUNREACH");
            assertThat(((UnreachableAddressException) error).address()).isEqualTo(address);
        }
    }

    @Test
    void anIpv6ConnectWithoutALocalAddressNamesTheAddressAndThePortRange() throws Exception {
        // Without any IPv6 address there is no source address: the kernel answers EADDRNOTAVAIL, not ENETUNREACH.
        try (EventLoop isolated = EventLoop.open(io.aem.linux.loop.EventLoopOptions.defaults().withName("tcp-no-address")
                .withThreadFactory(io.aem.linux.testing.NetworkNamespaces.factoryInNewNamespace("tcp-no-address")))) {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 80);
            Throwable error = failure(TcpConnection.connect(isolated, address, TcpOptions.defaults()));
            assertThat(error).isInstanceOf(io.aem.linux.KernelException.class)
                    .hasMessageContaining(address.toString()).hasMessageContaining("EADDRNOTAVAIL")
                    .hasMessageContaining("ip_local_port_range");
        }
    }

    @Test
    void whenCloseReturnsTheListenerRefusesConnectionsEvenFromAnotherLoop() throws Exception {
        try (EventLoop other = EventLoop.open("tcp-errors-other")) {
            for (int i = 0; i < 20; i++) {
                TcpListener listener = TcpListener.open(loop, TcpListenOptions.on(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
                QueueingSubscriber<TcpConnection> accepted = new QueueingSubscriber<>();
                listener.connections().subscribe(accepted);
                accepted.request(1);
                InetSocketAddress address = listener.localAddress();
                listener.close();
                Throwable error = failure(TcpConnection.connect(other, address, TcpOptions.defaults()));
                assertThat(error).as("connect %d after close", i).isInstanceOf(ConnectionRefusedException.class);
                accepted.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(accepted.items).isEmpty();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void aPortInUseIsAnAddressInUseExceptionNamingTheAddressAndTheReuseOptions(String host) throws Exception {
        try (TcpListener first = TcpListener.open(loop, TcpListenOptions.on(new InetSocketAddress(InetAddress.getByName(host), 0)))) {
            InetSocketAddress taken = first.localAddress();
            assertThatThrownBy(() -> TcpListener.open(loop, TcpListenOptions.on(taken)))
                    .isInstanceOf(AddressInUseException.class)
                    .hasMessageContaining(taken.toString())
                    .hasMessageContaining("SO_REUSEADDR").hasMessageContaining("SO_REUSEPORT");
        }
    }

    @Test
    void listenersWithReusePortShareThePort() throws Exception {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (TcpListener first = TcpListener.open(loop, TcpListenOptions.on(any).withReusePort(true));
             TcpListener second = TcpListener.open(loop, TcpListenOptions.on(first.localAddress()).withReusePort(true))) {
            assertThat(second.localAddress()).isEqualTo(first.localAddress());
        }
    }

    @Test
    void aPeerThatAbortsIsAConnectionResetExceptionOnTheReceiveStream() throws Exception {
        try (TcpListener listener = TcpListener.open(loop, TcpListenOptions.on(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))) {
            QueueingSubscriber<TcpConnection> accepted = new QueueingSubscriber<>();
            listener.connections().subscribe(accepted);
            accepted.request(1);
            InetSocketAddress clientAddress;
            ByteSink sink = new ByteSink(true, true);
            try (Socket client = new Socket()) {
                client.connect(listener.localAddress());
                clientAddress = (InetSocketAddress) client.getLocalSocketAddress();
                TcpConnection server = accepted.items.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                server.receive().subscribe(sink);
                client.getOutputStream().write(new byte[] {1, 2, 3});
                client.setSoLinger(true, 0);
            }
            Throwable error = failure(sink.done);
            assertThat(error).isInstanceOf(ConnectionResetException.class)
                    .hasMessageContaining(clientAddress.toString()).hasMessageContaining("ECONNRESET");
            assertThat(sink.count.get()).as("bytes before the reset").isLessThanOrEqualTo(3);
        }
    }

    @Test
    void sendingToAPeerThatAbortedFailsTheSendWithATypedError() throws Exception {
        try (TcpListener listener = TcpListener.open(loop, TcpListenOptions.on(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))) {
            QueueingSubscriber<TcpConnection> accepted = new QueueingSubscriber<>();
            listener.connections().subscribe(accepted);
            accepted.request(1);
            TcpConnection server;
            try (Socket client = new Socket()) {
                client.connect(listener.localAddress());
                server = accepted.items.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                client.setSoLinger(true, 0);
            }
            Throwable error = failure(server.send(Endless.zeros(8192)).toCompletableFuture());
            assertThat(error).isInstanceOfAny(ConnectionResetException.class, BrokenConnectionException.class)
                    .hasMessageContaining(server.remoteAddress().toString());
            assertThat(CompletableFuture.supplyAsync(() -> server.write(ByteBuffer.allocate(1)), loop).join())
                    .as("write on a failed connection").isFalse();
            Throwable late = failure(server.send(Endless.zeros(1)).toCompletableFuture());
            assertThat(late).as("a send after the failure gets the failure").isSameAs(error);
            server.close();
        }
    }

    @Test
    void aLocalResetReachesAPeerAsConnectionReset() throws Exception {
        try (TcpListener listener = TcpListener.open(loop, TcpListenOptions.on(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
             java.net.ServerSocket peer = new java.net.ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            TcpConnection c = TcpConnection.connect(loop, (InetSocketAddress) peer.getLocalSocketAddress(), TcpOptions.defaults())
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            try (Socket s = peer.accept()) {
                ByteSink sink = new ByteSink(false, true);
                c.receive().subscribe(sink);
                c.reset();
                assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketException.class)
                        .hasMessageContaining("reset");
                assertThat(sink.done.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("local reset completes the receive").isEmpty();
            }
        }
    }

    /**
     * Takes every fd number still free under the lowered limit: fds that other threads of the JVM
     * closed after the limit was computed would otherwise let the call under test succeed.
     */
    private static List<Integer> fillHoles() {
        List<Integer> fillers = new java.util.ArrayList<>();
        int fd;
        while ((fd = Io.dupCloexec(0)) >= 0) {
            fillers.add(fd);
        }
        return fillers;
    }

    /** The number the next fd would get: as the soft limit, no new fd can be opened. */
    private static int lowestFreeFd() {
        // Closes handed to the loop by earlier tests run first: they would free numbers under the limit.
        for (int i = 0; i < 3; i++) {
            CompletableFuture.runAsync(() -> { }, loop).join();
        }
        // Loads the classes of the error path first: loading a class needs an fd.
        assertThat(io.aem.linux.Errno.exception("socket", io.aem.linux.Errno.EMFILE, null)).isInstanceOf(ResourceLimitException.class);
        assertThat(NetErrors.exception("accept4", io.aem.linux.Errno.EMFILE, null)).isInstanceOf(ResourceLimitException.class);
        int fd = Io.dupCloexec(0);
        assertThat(fd).isNotNegative();
        Io.close(fd);
        return fd;
    }

    @Test
    void theFdLimitIsAResourceLimitExceptionNamingRlimitNofileForListenAndConnect() throws Exception {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (TcpListener listener = TcpListener.open(loop, TcpListenOptions.on(any))) {
            Throwable listenError;
            Throwable connectError;
            long before = FdLimit.setSoft(lowestFreeFd());
            List<Integer> fillers = fillHoles();
            try {
                listenError = catchThrowable(() -> TcpListener.open(loop, TcpListenOptions.on(any)));
                connectError = catchThrowable(() -> TcpConnection.connect(loop, listener.localAddress(), TcpOptions.defaults())
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS));
            } finally {
                fillers.forEach(Io::close);
                FdLimit.setSoft(before);
            }
            assertThat(listenError).isInstanceOf(ResourceLimitException.class).hasMessageContaining("RLIMIT_NOFILE")
                    .hasMessageContaining("soft ");
            assertThat(connectError).isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(ResourceLimitException.class).hasMessageContaining("RLIMIT_NOFILE");
        }
    }

    @Test
    void acceptAtTheFdLimitFailsTheConnectionsStreamWithResourceLimitException() throws Exception {
        try (TcpListener listener = TcpListener.open(loop, TcpListenOptions.on(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
             Socket client = new Socket()) {
            client.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)); // the client's fd exists before the limit
            QueueingSubscriber<TcpConnection> accepted = new QueueingSubscriber<>();
            listener.connections().subscribe(accepted);
            Throwable error;
            long before = FdLimit.setSoft(lowestFreeFd());
            List<Integer> fillers = fillHoles();
            try {
                client.connect(listener.localAddress());
                accepted.request(1);
                error = catchThrowable(() -> accepted.done.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            } finally {
                fillers.forEach(Io::close);
                FdLimit.setSoft(before);
            }
            assertThat(error).isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(ResourceLimitException.class).hasMessageContaining("RLIMIT_NOFILE")
                    .hasMessageContaining(listener.localAddress().toString());
            assertThat(accepted.items).isEmpty();
        }
    }

    @Test
    void optionsAreValidatedWhenSet() {
        InetSocketAddress any = new InetSocketAddress(0);
        assertThatThrownBy(() -> TcpListenOptions.on(any).withBacklog(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TcpOptions.defaults().withWriteQueueLimit(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TcpOptions.defaults().withReceiveBufferSize(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TcpListenOptions.on(InetSocketAddress.createUnresolved("example.invalid", 80)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unresolved");
    }
}
