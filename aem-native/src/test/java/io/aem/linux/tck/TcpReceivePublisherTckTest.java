package io.aem.linux.tck;

import io.aem.linux.net.TcpConnection;
import io.aem.linux.net.TcpOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.testng.annotations.BeforeClass;

/**
 * Reactive Streams TCK for {@link TcpConnection#receive()}.
 *
 * <p>TCP is a byte stream, so the number of chunks is the kernel's choice; what is exact is a
 * peer that writes a few bytes in one {@code write} and closes before anyone subscribes: the
 * bytes and the FIN are already in the receive queue, one {@code recv} returns the bytes (one
 * element) and the next returns end of stream. So each publisher has 0 or 1 element
 * ({@link #maxElementsFromPublisher()} is 1: the TCK skips the rules that need more). Connections
 * whose publisher nobody subscribed to are closed by the loop's shutdown after the class.
 */
public class TcpReceivePublisherTckTest extends LoopPublisherVerification<ByteBuffer> {
    private final List<TcpConnection> connections = new CopyOnWriteArrayList<>();
    private ServerSocket peer;

    @BeforeClass
    public void openPeer() throws IOException {
        peer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @Override
    public Flow.Publisher<ByteBuffer> createFlowPublisher(long elements) {
        try {
            TcpConnection c = TcpConnection.connect(loop, (InetSocketAddress) peer.getLocalSocketAddress(), TcpOptions.defaults())
                    .get(10, TimeUnit.SECONDS);
            connections.add(c);
            try (Socket s = peer.accept()) {
                if (elements > 0) {
                    s.getOutputStream().write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
                }
            }
            return c.receive();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Flow.Publisher<ByteBuffer> createFailedFlowPublisher() {
        return null;
    }

    @Override
    public long maxElementsFromPublisher() {
        return 1;
    }

    @Override
    protected void releaseSources() {
        connections.forEach(TcpConnection::close);
        try {
            peer.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
