package io.aem.demo.httpd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.aem.demo.DemoApplication;
import io.aem.linux.testing.FdLeakCheck;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

@ExtendWith({ FdLeakCheck.class, OutputCaptureExtension.class })
class HttpdCommandLineTest {

    @Test
    void theDemoJarMainDispatchesHttpdAndStopsAfterRunFor(@TempDir Path root, CapturedOutput output) throws Exception {
        Files.writeString(root.resolve("a.txt"), "from the root");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread main = new Thread(() -> {
            try {
                DemoApplication.main(new String[] { "httpd", "--port=0", "--root=" + root, "--host=127.0.0.1", "--run-for=3s" });
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "httpd-main");
        long started = System.nanoTime();
        main.start();
        Pattern listening = Pattern.compile("AEMhttpd listening on 127\\.0\\.0\\.1:(\\d+)");
        await().atMost(Duration.ofSeconds(10)).until(() -> listening.matcher(output.getOut()).find());
        Matcher matcher = listening.matcher(output.getOut());
        assertThat(matcher.find()).isTrue();
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", Integer.parseInt(matcher.group(1)));
        try (RawHttpClient client = new RawHttpClient(address)) {
            assertThat(client.exchange(RawHttpClient.get("/hello")).text()).isEqualTo("Hello, World!");
            assertThat(client.exchange(RawHttpClient.get("/a.txt")).text()).isEqualTo("from the root");
        }
        main.join(15_000);
        assertThat(main.isAlive()).isFalse();
        assertThat(failure.get()).isNull();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(output.getOut()).contains("--run-for=PT3S elapsed, stopping");
        assertThat(output.getOut()).doesNotContain("Spring");
    }

    @Test
    void optionsAreParsedAndBadOnesNamed() {
        HttpdOptions options = HttpdOptions.parse("--port=8080", "--root=/srv", "--run-for=500ms");
        assertThat(options.address().getPort()).isEqualTo(8080);
        assertThat(options.address().getHostString()).isEqualTo("127.0.0.1");
        assertThat(options.runFor()).isEqualTo(Duration.ofMillis(500));
        assertThat(HttpdOptions.parse("--port=1", "--root=/", "--run-for=PT2M").runFor()).isEqualTo(Duration.ofMinutes(2));
        assertThatThrownBy(() -> HttpdOptions.parse("--root=/")).hasMessageContaining("--port and --root are required");
        assertThatThrownBy(() -> HttpdOptions.parse("--port=x", "--root=/")).hasMessageContaining("--port=x");
        assertThatThrownBy(() -> HttpdOptions.parse("--port=1", "--root=/", "--run-for=soon")).hasMessageContaining("--run-for=soon");
        assertThatThrownBy(() -> HttpdOptions.parse("--port=1", "--root=/", "--bogus")).hasMessageContaining("--bogus");
    }
}
