package io.aem.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.event.UserEvents;
import io.aem.linux.fs.FileEvent;
import io.aem.linux.fs.FileEventKind;
import io.aem.linux.fs.FileWatch;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.sys.Limits;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.reactor.Aem;
import io.aem.spring.autoconfigure.AemAutoConfiguration;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Subscription;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;

@ExtendWith(FdLeakCheck.class)
class AemMetricsAutoConfigurationTests {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AemAutoConfiguration.class, MetricsAutoConfiguration.class,
                    SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
                    AemMetricsAutoConfiguration.class))
            .withPropertyValues("aem.metrics.refresh-interval=100ms", "aem.metrics.lag-probe-interval=50ms");

    @Test
    void loopLagIsProbedAndRegistrationsAreReportedPerLoop() {
        runner.withPropertyValues("aem.loops.count=2").run(context -> {
            assertThat(context).hasSingleBean(AemMetrics.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry).isInstanceOf(SimpleMeterRegistry.class);
            for (String loop : new String[] {"aem-1", "aem-2"}) {
                await().atMost(WAIT).untilAsserted(() -> {
                    Timer lag = registry.get("aem.loop.lag").tag("loop", loop).timer();
                    assertThat(lag.count()).isGreaterThanOrEqualTo(2);
                    Gauge registrations = registry.get("aem.loop.registrations").tag("loop", loop).gauge();
                    assertThat(registrations.value()).isNotNaN().isGreaterThanOrEqualTo(0);
                });
            }
        });
    }

    @Test
    void deliveredEventsAreCountedPerSourceAndTheMetersLeaveWithTheStream() {
        runner.run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            Aem aem = context.getBean(Aem.class);
            UserEvents signals = UserEvents.createSemaphore("metrics-test");
            AtomicLong received = new AtomicLong();
            Disposable subscription = aem.userEvents(signals).subscribe(n -> received.addAndGet(n));
            try {
                assertThat(signals.signal(7)).isTrue();
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(received).hasValue(7);
                    FunctionCounter events = sourceMeter(registry, "aem.events", "metrics-test", FunctionCounter.class);
                    assertThat(events).isNotNull();
                    assertThat(events.count()).isEqualTo(7.0);
                    assertThat(events.getId().getTag("loop")).isEqualTo("aem-1");
                    assertThat(sourceMeter(registry, "aem.events.lost", "metrics-test", FunctionCounter.class).count())
                            .isZero();
                    assertThat(sourceMeter(registry, "aem.streams", "metrics-test", Gauge.class).value()).isEqualTo(1.0);
                });
            } finally {
                subscription.dispose();
            }
            await().atMost(WAIT).untilAsserted(() -> assertThat(registry.getMeters())
                    .noneMatch(meter -> source(meter).contains("metrics-test")));
        });
    }

    @Test
    void anOverflowingInotifyQueueCountsItsLossAndTheTimeWithNoDemand(@TempDir Path dir) throws Exception {
        int queueLimit = Integer.parseInt(Limits.readProc("/proc/sys/fs/inotify/max_queued_events"));
        runner.run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            Aem aem = context.getBean(Aem.class);
            Demanded events = new Demanded();
            aem.watch(FileWatch.directory(dir).withKinds(FileEventKind.CREATE)).subscribe(events);
            try {
                EventLoop loop = aem.loops().get(0);
                await().atMost(WAIT).until(() -> !loop.streams().isEmpty());
                CompletableFuture<Void> opened = new CompletableFuture<>();
                loop.execute(() -> opened.complete(null));
                opened.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                Files.createFile(dir.resolve("first"));
                events.request(1);
                await().atMost(WAIT).untilAsserted(() -> assertThat(events.received).hasValue(1));
                // One read's batch may leave the kernel queue before the stream pauses: overfill by more.
                for (int i = 0; i < queueLimit + 2048; i++) {
                    Files.createFile(dir.resolve("f" + i));
                }
                events.request(Long.MAX_VALUE);
                String name = dir.getFileName().toString();
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(sourceMeter(registry, "aem.events.lost", name, FunctionCounter.class).count())
                            .as("lost").isPositive();
                    assertThat(sourceMeter(registry, "aem.events", name, FunctionCounter.class).count())
                            .as("delivered").isGreaterThanOrEqualTo(queueLimit - 1);
                    assertThat(sourceMeter(registry, "aem.demand.stalled", name, FunctionCounter.class).count())
                            .as("stalled").isPositive();
                });
            } finally {
                events.dispose();
            }
        });
    }

    @Test
    void absentWithoutMicrometer() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(AemAutoConfiguration.class, AemMetricsAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader("io.micrometer"))
                .run(context -> assertThat(context).hasSingleBean(Aem.class).doesNotHaveBean(AemMetrics.class));
    }

    @Test
    void absentWithoutAMeterRegistry() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(AemAutoConfiguration.class, AemMetricsAutoConfiguration.class))
                .run(context -> assertThat(context).hasSingleBean(Aem.class).doesNotHaveBean(AemMetrics.class));
    }

    @Test
    void absentWithoutAem() {
        runner.withPropertyValues("aem.enabled=false")
                .run(context -> assertThat(context).hasSingleBean(MeterRegistry.class)
                        .doesNotHaveBean(AemMetrics.class));
    }

    private static String source(Meter meter) {
        String source = meter.getId().getTag("source");
        return source == null ? "" : source;
    }

    private static <M extends Meter> @Nullable M sourceMeter(MeterRegistry registry, String name, String sourcePart,
            Class<M> type) {
        return registry.find(name).meters().stream()
                .filter(meter -> source(meter).contains(sourcePart))
                .map(type::cast)
                .findFirst().orElse(null);
    }

    /** Requests only what the test asks for. */
    private static final class Demanded extends BaseSubscriber<FileEvent> {
        final AtomicLong received = new AtomicLong();

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
        }

        @Override
        protected void hookOnNext(FileEvent event) {
            received.incrementAndGet();
        }
    }
}
