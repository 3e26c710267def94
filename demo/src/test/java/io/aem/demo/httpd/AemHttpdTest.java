package io.aem.demo.httpd;

import static io.aem.demo.httpd.RawHttpClient.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.aem.demo.httpd.RawHttpClient.Response;
import io.aem.linux.testing.FdLeakCheck;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(FdLeakCheck.class)
class AemHttpdTest {
    static final String HELLO = "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 13\r\n\r\nHello, World!";

    @TempDir
    static Path temp;
    static Path root;
    static AemHttpd server;
    static InetSocketAddress address;

    @BeforeAll
    static void start() throws IOException {
        root = Files.createDirectories(temp.resolve("www"));
        for (int i = 0; i < 10; i++) {
            Files.writeString(root.resolve("r" + i + ".txt"), "file number " + i);
        }
        Files.writeString(root.resolve("index.html"), "<h1>index</h1>");
        Files.createDirectories(root.resolve("dir"));
        Files.writeString(temp.resolve("secret.txt"), "SECRET-OUTSIDE-ROOT");
        Files.createSymbolicLink(root.resolve("escape.txt"), temp.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("up"), temp);
        server = AemHttpd.start(new HttpdOptions(new InetSocketAddress("127.0.0.1", 0), root, null));
        address = server.localAddress();
    }

    @AfterAll
    static void stop() {
        server.close();
        assertThat(server.loop().isClosed()).isTrue();
    }

    @Test
    void helloIsByteExactAndTheConnectionStaysOpen() throws IOException {
        try (RawHttpClient client = new RawHttpClient(address)) {
            assertThat(new String(client.exchange(get("/hello")).raw(), StandardCharsets.ISO_8859_1)).isEqualTo(HELLO);
            assertThat(new String(client.exchange(get("/hello")).raw(), StandardCharsets.ISO_8859_1)).isEqualTo(HELLO);
        }
    }

    @Test
    void keepAliveServesSeveralRequestsOnOneConnection() throws IOException {
        try (RawHttpClient client = new RawHttpClient(address)) {
            for (int i = 0; i < 20; i++) {
                Response response = client.exchange(get(i % 2 == 0 ? "/hello" : "/r" + (i % 10) + ".txt"));
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.text()).isEqualTo(i % 2 == 0 ? "Hello, World!" : "file number " + (i % 10));
            }
        }
    }

    @Test
    void tenPipelinedRequestsInOneWriteAreAnsweredInOrder() throws IOException {
        StringBuilder requests = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            requests.append(get(i == 5 ? "/hello" : "/r" + i + ".txt"));
        }
        try (RawHttpClient client = new RawHttpClient(address)) {
            client.send(requests.toString());
            for (int i = 0; i < 10; i++) {
                assertThat(client.read().text()).isEqualTo(i == 5 ? "Hello, World!" : "file number " + i);
            }
        }
    }

    @Test
    void aRequestWrittenByteByByteIsAnswered() throws IOException {
        try (RawHttpClient client = new RawHttpClient(address)) {
            for (byte b : (get("/hello") + get("/r3.txt")).getBytes(StandardCharsets.US_ASCII)) {
                client.out.write(b);
                client.out.flush();
            }
            assertThat(new String(client.read().raw(), StandardCharsets.ISO_8859_1)).isEqualTo(HELLO);
            assertThat(client.read().text()).isEqualTo("file number 3");
        }
    }

    @Test
    void headSendsTheHeadersWithoutTheBody() throws IOException {
        try (RawHttpClient client = new RawHttpClient(address)) {
            Response head = client.send("HEAD /hello HTTP/1.1\r\nHost: h\r\n\r\n").read(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.headers()).containsEntry("content-length", "13");
            Response file = client.send("HEAD /index.html HTTP/1.1\r\nHost: h\r\n\r\n").read(true);
            assertThat(file.headers()).containsEntry("content-length", "14").containsEntry("content-type", "text/html; charset=utf-8");
            // The next bytes are the next response's status line: no body was sent.
            assertThat(client.exchange(get("/r1.txt")).text()).isEqualTo("file number 1");
        }
    }

    @Test
    void missingIs404DirectoryIs403OtherMethodsAre405() throws IOException {
        try (RawHttpClient client = new RawHttpClient(address)) {
            assertThat(client.exchange(get("/missing.txt")).status()).isEqualTo(404);
            assertThat(client.exchange(get("/dir")).status()).isEqualTo(403);
            Response post = client.exchange("POST /hello HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nbody");
            assertThat(post.status()).isEqualTo(405);
            assertThat(post.headers()).containsEntry("allow", "GET, HEAD");
            assertThat(client.exchange(get("/hello")).text()).as("the body was skipped, the connection kept").isEqualTo("Hello, World!");
        }
    }

    @Test
    void aMalformedRequestGets400ThenTheConnectionCloses() throws IOException {
        try (RawHttpClient client = new RawHttpClient(address)) {
            Response response = client.exchange("GET /hello HTTP/1.1\r\nHost : h\r\n\r\n" + get("/hello"));
            assertThat(response.status()).isEqualTo(400);
            assertThat(response.headers()).containsEntry("connection", "close");
            assertThat(client.atEof()).isTrue();
        }
        try (RawHttpClient client = new RawHttpClient(address)) {
            assertThat(client.exchange("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n").status()).isEqualTo(501);
            assertThat(client.atEof()).isTrue();
        }
    }

    @Test
    void noRequestServesAFileOutsideTheRoot() throws IOException {
        String[] attempts = { "/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2fsecret.txt", "/dir/..%2F..%2Fsecret.txt",
            "//" + temp.resolve("secret.txt"), "/%2f" + temp.resolve("secret.txt").toString().substring(1),
            "/escape.txt", "/up/secret.txt", "/up/www/../secret.txt", "/escape.txt%00", "/..", "/.%2e/secret.txt" };
        for (String target : attempts) {
            try (RawHttpClient client = new RawHttpClient(address)) {
                Response response = client.exchange(get(target));
                assertThat(response.status()).as(target).isIn(400, 403, 404);
                assertThat(response.text()).as(target).doesNotContain("SECRET");
            }
        }
    }

    @Test
    void http10ClosesAfterTheResponseUnlessKeepAlive() throws IOException {
        try (RawHttpClient client = new RawHttpClient(address)) {
            Response response = client.exchange("GET /hello HTTP/1.0\r\n\r\n");
            assertThat(response.text()).isEqualTo("Hello, World!");
            assertThat(response.headers()).containsEntry("connection", "close");
            assertThat(client.atEof()).isTrue();
        }
        try (RawHttpClient client = new RawHttpClient(address)) {
            Response response = client.exchange("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            assertThat(response.headers()).containsEntry("connection", "keep-alive");
            assertThat(client.exchange("GET /r2.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").text()).isEqualTo("file number 2");
        }
    }

    @Test
    void connectionCloseIsHonoured() throws IOException {
        try (RawHttpClient client = new RawHttpClient(address)) {
            Response response = client.exchange("GET /r4.txt HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n" + get("/hello"));
            assertThat(response.text()).isEqualTo("file number 4");
            assertThat(response.headers()).containsEntry("connection", "close");
            assertThat(client.atEof()).as("the pipelined request after it is not answered").isTrue();
        }
    }

    @Test
    void aThousandConcurrentKeepAliveConnectionsEachDoRequests() throws IOException {
        List<RawHttpClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) {
                clients.add(new RawHttpClient(address));
            }
            for (RawHttpClient client : clients) {
                client.send(get("/hello"));
            }
            for (RawHttpClient client : clients) {
                assertThat(client.read().text()).isEqualTo("Hello, World!");
            }
            assertThat(server.openConnections()).isGreaterThanOrEqualTo(1000);
            Random random = new Random(1);
            for (RawHttpClient client : clients) {
                int n = random.nextInt(10);
                assertThat(client.exchange(get("/r" + n + ".txt")).text()).isEqualTo("file number " + n);
            }
        } finally {
            for (RawHttpClient client : clients) {
                client.close();
            }
        }
    }
}
