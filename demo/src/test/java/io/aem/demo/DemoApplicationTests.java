package io.aem.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.testing.FdLeakCheck;
import io.aem.reactor.Aem;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

@ExtendWith({ FdLeakCheck.class, OutputCaptureExtension.class })
class DemoApplicationTests {

    @Test
    void runsForTheConfiguredTimeShowingKernelEventsThenShutsDown(@TempDir Path inbox, CapturedOutput output) {
        long started = System.nanoTime();
        ConfigurableApplicationContext context = new SpringApplicationBuilder(DemoApplication.class).run(
                "--demo.run-for=2s", "--demo.timer-period=100ms", "--demo.wheel-period=50ms",
                "--demo.signal-period=50ms", "--demo.job-period=500ms", "--demo.stats-period=500ms",
                "--demo.port=0", "--demo.httpd.port=0", "--demo.inbox=" + inbox.resolve("inbox"));
        try {
            KernelEventsDemo demo = context.getBean(KernelEventsDemo.class);
            DashboardEvents events = context.getBean(DashboardEvents.class);
            Aem aem = context.getBean(Aem.class);
            assertThat(context.isActive()).isTrue();
            assertThat(inbox.resolve("inbox")).isDirectory();

            await().atMost(Duration.ofSeconds(15)).until(() -> !context.isActive());

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
            assertThat(aem.isDisposed()).isTrue();
            assertThat(demo.isRunning()).isFalse();
            assertThat(demo.timerTicks()).isGreaterThanOrEqualTo(5);
            assertThat(demo.timerExpirations()).isGreaterThanOrEqualTo(demo.timerTicks());
            assertThat(demo.wheelTicks()).isGreaterThanOrEqualTo(10);
            assertThat(demo.signalsSent()).isGreaterThanOrEqualTo(3 * 10);
            assertThat(demo.userEventsReceived()).isEqualTo(demo.signalsSent());
            assertThat(demo.userEventDeliveries()).isPositive().isLessThanOrEqualTo(demo.userEventsReceived());
            assertThat(demo.jobsStarted()).isGreaterThanOrEqualTo(2);
            assertThat(events.counts()).containsEntry("timer", demo.timerTicks())
                .containsEntry("wheel", demo.wheelTicks())
                .containsEntry("user", demo.userEventDeliveries())
                .containsKey("job");
            assertThat(output).contains("AEMhttpd serving ", "demo.run-for=PT2S elapsed", "Loop aem-1: ",
                    "timerfd MONOTONIC", "user events 'demo'", "lost 0", "Stopped: ");
        } finally {
            context.close();
        }
    }
}
