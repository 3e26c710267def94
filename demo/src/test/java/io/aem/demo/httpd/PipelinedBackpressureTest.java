package io.aem.demo.httpd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.testing.FdLeakCheck;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that pipelines requests and does not read the responses: once the server's write queue
 * is full it stops reading requests, TCP's window closes, and the client's writes block; the
 * server's memory holds no more than its write queue. When the client reads, every response comes,
 * in order.
 */
@ExtendWith(FdLeakCheck.class)
class PipelinedBackpressureTest {
    static final int REQUESTS = 30_000;
    static final int FILE_SIZE = 4096;

    @TempDir
    static Path root;
    static AemHttpd server;

    @BeforeAll
    static void start() throws IOException {
        byte[] content = new byte[FILE_SIZE];
        Arrays.fill(content, (byte) 'x');
        Files.write(root.resolve("page.txt"), content);
        server = AemHttpd.start(new HttpdOptions(new InetSocketAddress("127.0.0.1", 0), root, null));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aClientThatDoesNotReadStopsTheServerReadingThenGetsEveryResponseInOrder() throws Exception {
        byte[] request = ("GET /page.txt HTTP/1.1\r\nHost: h\r\nX-Pad: " + "p".repeat(1000) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] response = ("HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: " + FILE_SIZE
                + "\r\n\r\n" + "x".repeat(FILE_SIZE)).getBytes(StandardCharsets.US_ASCII);
        long total = (long) REQUESTS * request.length;
        try (Socket socket = new Socket()) {
            socket.setSendBufferSize(16 * 1024);
            socket.setReceiveBufferSize(16 * 1024);
            socket.connect(server.localAddress(), 10_000);
            socket.setSoTimeout(30_000);
            AtomicLong written = new AtomicLong();
            AtomicReference<Throwable> writeFailure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    for (int i = 0; i < REQUESTS; i++) {
                        out.write(request);
                        written.addAndGet(request.length);
                    }
                    out.flush();
                } catch (Throwable e) {
                    writeFailure.set(e);
                }
            }, "pipelining-writer");
            writer.start();

            // The writer stalls: its writes block because the server stopped reading. Stalled =
            // no byte written for 700 ms (on a loaded machine the last reads may come late).
            AtomicLong seen = new AtomicLong(-1);
            AtomicLong changedAt = new AtomicLong(System.nanoTime());
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                long now = written.get();
                if (seen.getAndSet(now) != now) {
                    changedAt.set(System.nanoTime());
                    return false;
                }
                return now > 0 && System.nanoTime() - changedAt.get() >= Duration.ofMillis(700).toNanos();
            });
            long stalledAt = written.get();
            assertThat(writer.isAlive()).isTrue();
            assertThat(stalledAt).as("bytes the client could write without reading").isLessThan(total / 2);

            InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            for (int i = 0; i < REQUESTS; i++) {
                byte[] got = in.readNBytes(response.length);
                assertThat(got).as("response %d", i).isEqualTo(response);
            }
            writer.join(10_000);
            assertThat(writeFailure.get()).isNull();
            System.out.println("pipelining without reading: the client's writes stalled after " + stalledAt + " of " + total
                    + " request bytes (" + stalledAt / request.length + " of " + REQUESTS + " requests)");
        }
    }
}
