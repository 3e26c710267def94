package io.aem.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.testing.FdLeakCheck;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Subscription;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.BaseSubscriber;

@ExtendWith(FdLeakCheck.class)
class DashboardBackpressureTests {

    @Test
    void aBrowserThatDoesNotReadLosesTheOldestEventsBeyondItsBufferAndIsToldHowMany(@TempDir Path inbox) {
        // quiet sources: only the events published here reach the stream
        ConfigurableApplicationContext context = new SpringApplicationBuilder(DemoApplication.class).run(
                "--demo.port=0", "--demo.httpd.enabled=false", "--demo.inbox=" + inbox, "--demo.job-period=0",
                "--demo.timer-period=1h", "--demo.wheel-period=1h", "--demo.signal-period=1h", "--demo.client-buffer=100");
        try {
            DashboardController controller = context.getBean(DashboardController.class);
            DashboardEvents events = context.getBean(DashboardEvents.class);
            List<ServerSentEvent<Object>> received = new CopyOnWriteArrayList<>();
            BaseSubscriber<ServerSentEvent<Object>> browser = new BaseSubscriber<>() {
                @Override
                protected void hookOnSubscribe(Subscription subscription) {
                    request(1);
                }

                @Override
                protected void hookOnNext(ServerSentEvent<Object> event) {
                    received.add(event);
                }
            };
            controller.events().subscribe(browser);
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
            assertThat(received.get(0).event()).isEqualTo("hello");

            int published = 1000;
            for (int i = 0; i < published; i++) {
                events.publish("test", "event #" + i);
            }
            browser.request(Long.MAX_VALUE);

            await().atMost(Duration.ofSeconds(20)).until(() -> received.stream().anyMatch((e) -> isStatsWithAll(e, published)));
            DashboardStats stats = received.stream().filter((e) -> isStatsWithAll(e, published))
                .map((e) -> (DashboardStats) e.data()).findFirst().orElseThrow();
            List<String> delivered = received.stream().filter((e) -> "kernel".equals(e.event()))
                .map((e) -> (DashboardEvent) e.data()).filter((e) -> e.family().equals("test"))
                .map(DashboardEvent::summary).toList();
            // kept: at most the buffer (100) plus what the merge of events and stats prefetches (32);
            // an event of the demo's own sources published meanwhile only adds to the drops
            assertThat(delivered).hasSizeLessThanOrEqualTo(100 + 32);
            assertThat(stats.clientDropped()).isGreaterThanOrEqualTo(published - (100 + 32));
            // the newest are kept, the oldest beyond the buffer dropped
            assertThat(delivered).contains("event #999").doesNotContain("event #" + (published - 101));
            browser.dispose();
        } finally {
            context.close();
        }
    }

    private static boolean isStatsWithAll(ServerSentEvent<Object> event, int published) {
        return "stats".equals(event.event()) && event.data() instanceof DashboardStats stats
                && stats.clientDelivered() + stats.clientDropped() >= published;
    }
}
