package io.aem.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.event.TimerTick;
import io.aem.linux.fs.FileEvent;
import io.aem.linux.fs.FileEventKind;
import io.aem.linux.proc.ProcessExit;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.spring.autoconfigure.AemAutoConfiguration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.EventListener;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Applications with annotated handlers: a small Spring Boot application per test, started with
 * the AEM auto-configuration and the handlers' bean, configured from properties.
 */
@ExtendWith(FdLeakCheck.class)
class AemListenerApplicationTests {

    @TempDir
    Path inbox;

    private static ConfigurableApplicationContext start(Class<?> handlers, String... properties) {
        return new SpringApplicationBuilder(TestApplication.class, handlers)
                .web(WebApplicationType.NONE)
                .properties("spring.main.banner-mode=off")
                .properties(properties)
                .run();
    }

    /**
     * Waits until a watch of the folder is open: its stream is tracked by a loop, and a task run
     * on that loop after it (the open is one loop task) has completed.
     */
    private static void awaitWatchOpen(ConfigurableApplicationContext context, Path folder) throws Exception {
        io.aem.reactor.Aem aem = context.getBean(io.aem.reactor.Aem.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> aem.loops().stream().anyMatch(loop -> loop.streams().stream()
                .anyMatch(stream -> stream.sourceName().contains(folder.toString()))));
        for (io.aem.linux.loop.EventLoop loop : aem.loops()) {
            CompletableFuture<Void> barrier = new CompletableFuture<>();
            loop.execute(() -> barrier.complete(null));
            barrier.get(20, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void annotatedHandlersReceiveAFileCreatedInTheWatchedFolderAndAJobsExit() throws Exception {
        try (ConfigurableApplicationContext context = start(FileAndJobHandlers.class, "test.inbox=" + inbox,
                "aem.sources.command.job.argv=/bin/sh,-c,exit 3")) {
            FileAndJobHandlers handlers = context.getBean(FileAndJobHandlers.class);
            awaitWatchOpen(context, inbox);
            Files.writeString(inbox.resolve("order-1.json"), "{}");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(handlers.files).extracting(FileEvent::path).contains(inbox.resolve("order-1.json"));
                assertThat(handlers.exits).extracting(ProcessExit::status).containsExactly(new ProcessExit.Exited(3));
            });
            assertThat(handlers.files).extracting(FileEvent::kind).containsOnly(FileEventKind.CLOSE_WRITE);
            AemHandlerStats stats = context.getBean(AemHandlerStats.class);
            assertThat(stats.handler("files")).hasValueSatisfying(h -> {
                assertThat(h.family()).isEqualTo(io.aem.spring.sources.AemSourceFamily.WATCH);
                assertThat(h.received()).isGreaterThanOrEqualTo(1);
                assertThat(h.errors()).isZero();
            });
            assertThat(stats.handler("job-exits")).hasValueSatisfying(h -> assertThat(h.source()).isEqualTo("job"));
        }
    }

    @Test
    void plainEventListenerReceivesPublishedSourceEvents() throws Exception {
        try (ConfigurableApplicationContext context = start(PlainListener.class,
                "aem.sources.watch.inbox.path=" + inbox, "aem.sources.watch.inbox.kinds=create",
                "aem.sources.watch.inbox.publish-application-events=true")) {
            PlainListener listener = context.getBean(PlainListener.class);
            awaitWatchOpen(context, inbox);
            Files.createFile(inbox.resolve("new.txt"));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(listener.events)
                    .singleElement().satisfies(event -> {
                        assertThat(event.sourceName()).isEqualTo("inbox");
                        assertThat(event.payload().kind()).isEqualTo(FileEventKind.CREATE);
                        assertThat(event.payload().path()).isEqualTo(inbox.resolve("new.txt"));
                    }));
            assertThat(listener.ticks).as("a listener of another payload type").isEmpty();
        }
    }

    @Test
    void handlerErrorIsCountedAndTheStreamContinues() {
        try (ConfigurableApplicationContext context = start(FailingOnce.class, "aem.sources.timer.tick.period=10ms")) {
            FailingOnce handler = context.getBean(FailingOnce.class);
            AemHandlerStats stats = context.getBean(AemHandlerStats.class);
            await().atMost(Duration.ofSeconds(20)).until(() -> handler.calls.get() >= 4);
            AemHandlerStats.Handler counts = stats.handler("failing").orElseThrow();
            assertThat(counts.errors()).isEqualTo(1);
            assertThat(counts.lastError()).hasValueSatisfying(e -> assertThat(e).hasMessage("first tick fails"));
            assertThat(counts.isActive()).isTrue();
            assertThat(stats.totalErrors()).isEqualTo(1);
        }
    }

    @Test
    void stopOnErrorEndsTheHandlerAtItsFirstError() {
        try (ConfigurableApplicationContext context = start(StoppingOnError.class, "aem.sources.timer.tick.period=10ms")) {
            AemHandlerStats.Handler counts = context.getBean(AemHandlerStats.class).handler("stopper").orElseThrow();
            await().atMost(Duration.ofSeconds(20)).until(() -> !counts.isActive());
            assertThat(counts.errors()).isEqualTo(1);
            assertThat(counts.received()).isEqualTo(1);
            assertThat(context.getBean(StoppingOnError.class).calls.get()).isEqualTo(1);
        }
    }

    @Test
    void wholeFluxHandlerReceivesTheStream() {
        try (ConfigurableApplicationContext context = start(WholeFlux.class, "aem.sources.timer.tick.period=10ms")) {
            WholeFlux handler = context.getBean(WholeFlux.class);
            await().atMost(Duration.ofSeconds(20)).until(() -> handler.batches.size() >= 2);
            assertThat(handler.batches).allSatisfy(batch -> assertThat(batch).hasSize(3));
        }
    }

    @Test
    void gracefulStopWaitsForTheHandlerMonoInFlight() {
        ConfigurableApplicationContext context = start(SlowHandler.class, "aem.sources.timer.tick.period=10ms",
                "aem.shutdown.timeout=30s");
        SlowHandler handler = context.getBean(SlowHandler.class);
        await().atMost(Duration.ofSeconds(20)).until(handler.started::isDone);
        AemHandlerRegistry registry = context.getBean(AemHandlerRegistry.class);
        io.aem.reactor.Aem aem = context.getBean(io.aem.reactor.Aem.class);
        handler.aem = aem;
        CompletableFuture<Void> closed = CompletableFuture.runAsync(context::close);
        await().atMost(Duration.ofSeconds(20)).until(() -> !registry.isRunning());
        handler.release.complete(null);
        assertThat(closed).succeedsWithin(Duration.ofSeconds(20));
        assertThat(handler.cancelled.get()).as("cancelled").isZero();
        assertThat(handler.finished.get()).isEqualTo(1);
        assertThat(handler.aemOpenAtFinish.get()).as("the loops were open when the handler finished").isTrue();
        assertThat(handler.calls.get()).as("no invocation starts once the stop began").isEqualTo(1);
        assertThat(aem.isDisposed()).isTrue();
    }

    @Test
    void stopCancelsTheHandlersStillInFlightAtTheShutdownTimeout() {
        ConfigurableApplicationContext context = start(SlowHandler.class, "aem.sources.timer.tick.period=10ms",
                "aem.shutdown.timeout=200ms");
        SlowHandler handler = context.getBean(SlowHandler.class);
        await().atMost(Duration.ofSeconds(20)).until(handler.started::isDone);
        context.close();
        assertThat(handler.cancelled.get()).isEqualTo(1);
        assertThat(handler.finished.get()).isZero();
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @ImportAutoConfiguration(AemAutoConfiguration.class)
    static class TestApplication {
    }

    static class FileAndJobHandlers {
        final List<FileEvent> files = new CopyOnWriteArrayList<>();
        final List<ProcessExit> exits = new CopyOnWriteArrayList<>();

        @AemWatchListener(id = "files", path = "${test.inbox}", kinds = FileEventKind.CLOSE_WRITE)
        void onFile(FileEvent event) {
            files.add(event);
        }

        @AemCommandListener(id = "job-exits", source = "job")
        Mono<Void> onExit(ProcessExit exit) {
            return Mono.fromRunnable(() -> exits.add(exit));
        }
    }

    static class PlainListener {
        final List<AemApplicationEvent<FileEvent>> events = new CopyOnWriteArrayList<>();
        final List<AemApplicationEvent<TimerTick>> ticks = new CopyOnWriteArrayList<>();

        @EventListener
        void onFile(AemApplicationEvent<FileEvent> event) {
            events.add(event);
        }

        @EventListener
        void onTick(AemApplicationEvent<TimerTick> event) {
            ticks.add(event);
        }
    }

    static class FailingOnce {
        final AtomicInteger calls = new AtomicInteger();

        @AemTimerListener(id = "failing", source = "tick")
        void onTick(TimerTick tick) {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("first tick fails");
            }
        }
    }

    static class StoppingOnError {
        final AtomicInteger calls = new AtomicInteger();

        @AemTimerListener(id = "stopper", source = "tick", stopOnError = true)
        void onTick(TimerTick tick) {
            calls.incrementAndGet();
            throw new IllegalStateException("stop here");
        }
    }

    static class WholeFlux {
        final List<List<TimerTick>> batches = new CopyOnWriteArrayList<>();

        @AemTimerListener(source = "tick", scheduler = "loop")
        Flux<List<TimerTick>> onTicks(Flux<TimerTick> ticks) {
            return ticks.buffer(3).doOnNext(batches::add);
        }
    }

    static class SlowHandler {
        final CompletableFuture<Void> started = new CompletableFuture<>();
        final CompletableFuture<Void> release = new CompletableFuture<>();
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();
        final AtomicInteger cancelled = new AtomicInteger();
        final java.util.concurrent.atomic.AtomicBoolean aemOpenAtFinish = new java.util.concurrent.atomic.AtomicBoolean();
        volatile io.aem.reactor.@org.jspecify.annotations.Nullable Aem aem;

        @AemTimerListener(source = "tick")
        Mono<Void> onTick(TimerTick tick) {
            calls.incrementAndGet();
            started.complete(null);
            return Mono.fromFuture(release, true).then()
                    .doOnSuccess(v -> {
                        io.aem.reactor.Aem current = aem;
                        aemOpenAtFinish.set(current != null && !current.isDisposed());
                        finished.incrementAndGet();
                    })
                    .doOnCancel(cancelled::incrementAndGet);
        }
    }
}
