package io.aem.demo.httpd;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.testing.FdLeakCheck;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDK's HTTP client against the server. On Java 17 the client has no {@code close()}: its
 * selector thread and fds end once the client is unreachable, so the class drops it and asks for
 * a collection before the fd check.
 */
@ExtendWith(FdLeakCheck.class)
class JdkHttpClientTest {
    @TempDir
    static Path root;
    static AemHttpd server;
    static @Nullable HttpClient client;

    @BeforeAll
    static void start() throws IOException {
        Files.writeString(root.resolve("page.html"), "<p>page</p>");
        server = AemHttpd.start(new HttpdOptions(new InetSocketAddress("127.0.0.1", 0), root, null));
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        client = null;
        System.gc();
        server.close();
    }

    static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.localAddress().getPort() + path);
    }

    @Test
    void getHelloAndAFile() throws Exception {
        HttpResponse<String> hello = client.send(HttpRequest.newBuilder(uri("/hello")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(hello.statusCode()).isEqualTo(200);
        assertThat(hello.body()).isEqualTo("Hello, World!");
        assertThat(hello.headers().firstValue("content-type")).contains("text/plain");
        HttpResponse<String> page = client.send(HttpRequest.newBuilder(uri("/page.html")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.body()).isEqualTo("<p>page</p>");
        assertThat(page.headers().firstValue("content-type")).contains("text/html; charset=utf-8");
        HttpResponse<String> missing = client.send(HttpRequest.newBuilder(uri("/nope")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
    }

    @Test
    void manyConcurrentRequestsOverTheClientsPool() {
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            responses.add(client.sendAsync(HttpRequest.newBuilder(uri("/hello")).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> response : responses) {
            assertThat(response.join().body()).isEqualTo("Hello, World!");
        }
    }
}
