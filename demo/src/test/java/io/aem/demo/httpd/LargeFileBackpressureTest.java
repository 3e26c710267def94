package io.aem.demo.httpd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.demo.httpd.RawHttpClient.Response;
import io.aem.linux.sys.Limits;
import io.aem.linux.testing.FdLeakCheck;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file far larger than the write queue, to a client that stops reading: the server reads the
 * file only as far as the socket buffers and the write queue take, then resumes as the client
 * reads; the client gets every byte.
 */
@ExtendWith(FdLeakCheck.class)
class LargeFileBackpressureTest {
    static final int SIZE = 24 * 1024 * 1024;
    static final int CLIENT_RECEIVE_BUFFER = 16 * 1024;

    @TempDir
    static Path root;
    static byte[] content;
    static AemHttpd server;

    @BeforeAll
    static void start() throws IOException {
        content = new byte[SIZE];
        new Random(7).nextBytes(content);
        Files.write(root.resolve("large.bin"), content);
        server = AemHttpd.start(new HttpdOptions(new InetSocketAddress("127.0.0.1", 0), root, null));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aSlowReaderHoldsTheServerAtTheWriteQueueLimitAndGetsTheFileByteExact() throws Exception {
        long wmemMax = Long.parseLong(Limits.readProc("/proc/sys/net/ipv4/tcp_wmem").split("\\s+")[2]);
        // What may leave the file before the client reads: the server socket's send buffer, the
        // client's (doubled) receive buffer, the write queue limit (256 KiB) and one file chunk.
        long bound = wmemMax + 2L * CLIENT_RECEIVE_BUFFER + 256 * 1024 + 64 * 1024 + 64 * 1024;
        assertThat(bound).as("the file must exceed what buffers can hold").isLessThan(SIZE / 2);
        try (RawHttpClient client = new RawHttpClient(server.localAddress(), CLIENT_RECEIVE_BUFFER)) {
            client.send(RawHttpClient.get("/large.bin"));
            Path file = root.resolve("large.bin").toRealPath();
            AtomicLong position = new AtomicLong();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                position.set(filePosition(file));
                return position.get() > 0;
            });
            // Not reading: the position must stop within the bound and stay there.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        long before = position.get();
                        position.set(filePosition(file));
                        return before == position.get() && before > 0;
                    });
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                    .until(() -> filePosition(file) == position.get());
            long stalledAt = position.get();
            assertThat(stalledAt).isLessThanOrEqualTo(bound);

            Response response = client.read();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.headers()).containsEntry("content-length", String.valueOf(SIZE))
                    .containsEntry("content-type", "application/octet-stream");
            assertThat(Arrays.equals(response.body(), content)).as("byte-exact").isTrue();
            assertThat(client.exchange(RawHttpClient.get("/hello")).text()).isEqualTo("Hello, World!");
            System.out.println("large file: the server's read position stalled at " + stalledAt + " of " + SIZE
                    + " bytes while the client did not read (bound " + bound + ")");
        }
    }

    /** The read position of the server's open file for {@code file} (from /proc/self/fdinfo), 0 when not open. */
    static long filePosition(Path file) throws IOException {
        String[] fds = new File("/proc/self/fd").list();
        if (fds == null) {
            return 0;
        }
        for (String fd : fds) {
            Path link;
            try {
                link = Files.readSymbolicLink(Path.of("/proc/self/fd", fd));
            } catch (IOException e) {
                continue;
            }
            if (link.equals(file)) {
                try {
                    for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo", fd))) {
                        if (line.startsWith("pos:")) {
                            return Long.parseLong(line.substring(4).trim());
                        }
                    }
                } catch (IOException e) {
                    return 0;
                }
            }
        }
        return 0;
    }
}
