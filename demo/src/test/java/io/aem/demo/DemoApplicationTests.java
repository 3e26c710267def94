package io.aem.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.testing.FdLeakCheck;
import io.aem.reactor.Aem;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

@ExtendWith({ FdLeakCheck.class, OutputCaptureExtension.class })
class DemoApplicationTests {

    @Test
    void runsForTheConfiguredTimeShowingKernelEventsThenShutsDown(CapturedOutput output) {
        long started = System.nanoTime();
        ConfigurableApplicationContext context = new SpringApplicationBuilder(DemoApplication.class).run(
                "--aem.demo.run-for=2s", "--aem.demo.timer-period=100ms", "--aem.demo.signal-period=50ms",
                "--aem.demo.stats-period=500ms", "--spring.main.keep-alive=false");
        try {
            KernelEventsDemo demo = context.getBean(KernelEventsDemo.class);
            Aem aem = context.getBean(Aem.class);
            assertThat(context.isActive()).isTrue();

            await().atMost(Duration.ofSeconds(15)).until(() -> !context.isActive());

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
            assertThat(aem.isDisposed()).isTrue();
            assertThat(demo.isRunning()).isFalse();
            assertThat(demo.timerTicks()).isGreaterThanOrEqualTo(5);
            assertThat(demo.timerExpirations()).isGreaterThanOrEqualTo(demo.timerTicks());
            assertThat(demo.signalsSent()).isGreaterThanOrEqualTo(3 * 10);
            assertThat(demo.userEventsReceived()).isEqualTo(demo.signalsSent());
            assertThat(demo.userEventDeliveries()).isPositive().isLessThanOrEqualTo(demo.userEventsReceived());
            assertThat(output).contains("Timer tick #1: ", "User events #1: count ", "aem.demo.run-for=PT2S elapsed",
                    "Loop aem-1: ", "timerfd MONOTONIC", "user events 'demo'", "lost 0", "Stopped: ");
        } finally {
            context.close();
        }
    }
}
