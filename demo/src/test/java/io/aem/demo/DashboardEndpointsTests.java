package io.aem.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.testing.FdLeakCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.FluxExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.Disposable;

@ExtendWith(FdLeakCheck.class)
class DashboardEndpointsTests {

    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() {
    };

    @TempDir
    static Path inbox;

    static ConfigurableApplicationContext context;

    static WebTestClient client;

    @BeforeAll
    static void start() {
        context = new SpringApplicationBuilder(DemoApplication.class).run("--demo.port=0", "--demo.httpd.port=0",
                "--demo.inbox=" + inbox, "--demo.job-period=0", "--demo.wheel-period=100ms");
        int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
        client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
            .responseTimeout(Duration.ofSeconds(30)).build();
    }

    @AfterAll
    static void stop() {
        context.close();
    }

    @Test
    void eventsStreamsHelloThenKernelEventsAndStatsAsServerSentEvents() throws Exception {
        List<ServerSentEvent<String>> received = new CopyOnWriteArrayList<>();
        FluxExchangeResult<ServerSentEvent<String>> result = client.get().uri("/events")
            .accept(MediaType.TEXT_EVENT_STREAM).exchange()
            .expectStatus().isOk()
            .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
            .returnResult(SSE);
        Disposable reading = result.getResponseBody().subscribe(received::add);
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> received.stream().anyMatch((e) -> "stats".equals(e.event())));
            assertThat(received.get(0).event()).isEqualTo("hello");
            assertThat(received.get(0).data()).contains("\"inbox\":\"" + inbox + "\"").contains("\"httpdPort\":");

            Path file = Files.writeString(inbox.resolve("from-the-endpoints-test.txt"), "hello");
            await().atMost(Duration.ofSeconds(20)).until(() -> received.stream().anyMatch((e) -> "kernel".equals(e.event())
                    && e.data() != null && e.data().contains("\"family\":\"file\"")
                    && e.data().contains("\"summary\":\"CLOSE_WRITE " + file.getFileName() + "\"")));
            await().atMost(Duration.ofSeconds(20)).until(() -> received.stream().anyMatch((e) -> "kernel".equals(e.event())
                    && e.data() != null && e.data().contains("\"family\":\"wheel\"") && e.data().contains("\"time\":\"")));
            ServerSentEvent<String> stats = received.stream().filter((e) -> "stats".equals(e.event())).reduce((a, b) -> b)
                .orElseThrow();
            assertThat(stats.data()).contains("\"counts\":{", "\"streams\":[", "\"loops\":[", "\"clientDropped\":0",
                    "\"clientBuffer\":256", "inotify");
        } finally {
            reading.dispose();
        }
    }

    @Test
    void createFileWritesIntoTheInbox() {
        ActionAnswer answer = client.post().uri("/actions/create-file").exchange()
            .expectStatus().isOk()
            .expectBody(ActionAnswer.class).returnResult().getResponseBody();
        assertThat(answer).isNotNull();
        assertThat(answer.action()).isEqualTo("create-file");
        assertThat(Path.of(answer.detail())).hasParent(inbox).exists();
    }

    @Test
    void runJobAnswersWithTheExitCodeAndPublishesIt() {
        DashboardEvents events = context.getBean(DashboardEvents.class);
        long before = events.counts().getOrDefault("job", 0L);
        client.post().uri("/actions/run-job").exchange()
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.action").isEqualTo("run-job")
            .jsonPath("$.detail").isEqualTo("exited with code 3");
        assertThat(events.counts().get("job")).isEqualTo(before + 1);
    }

    @Test
    void faultJobAnswersWithTheSignal() {
        ActionAnswer answer = client.post().uri("/actions/fault-job").exchange()
            .expectStatus().isOk()
            .expectBody(ActionAnswer.class).returnResult().getResponseBody();
        assertThat(answer).isNotNull();
        assertThat(answer.detail()).startsWith("killed by signal 11 (SIGSEGV)");
    }

    @Test
    void theDashboardPageIsServedAtTheRoot() {
        client.get().uri("/").exchange()
            .expectStatus().isOk()
            .expectBody(String.class).value((html) -> assertThat(html).contains("<script src=\"dashboard.js\"></script>"));
        client.get().uri("/dashboard.js").exchange().expectStatus().isOk();
        client.get().uri("/dashboard.css").exchange().expectStatus().isOk();
    }

    @Test
    void theChartsHistoryHoldsTheWheelTimersRateEverySecond() {
        RateHistory history = context.getBean(RateHistory.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> history.rates().getOrDefault("wheel", List.of()).size() >= 3);
        List<Double> wheel = history.rates().get("wheel");
        // demo.wheel-period=100ms: about 10 a second, with room for a slow machine
        assertThat(wheel.get(wheel.size() - 1)).isBetween(4.0, 16.0);
        assertThat(wheel).hasSizeLessThanOrEqualTo(RateHistory.WINDOW);
        await().atMost(Duration.ofSeconds(20)).until(() -> history.lags().containsKey("aem-1")
                && history.lags().containsKey("aemhttpd"));
    }

    record ActionAnswer(String action, String detail) {
    }
}
