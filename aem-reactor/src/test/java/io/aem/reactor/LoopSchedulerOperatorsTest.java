package io.aem.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.FdLeakCheck;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reactor's time operators given a {@link LoopScheduler}: they run on the loop thread and start
 * no thread of their own. Deliberately without Awaitility, which would start threads.
 */
@ExtendWith(FdLeakCheck.class)
class LoopSchedulerOperatorsTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private static Aem aem;
    private static EventLoop loop;
    private LoopScheduler scheduler;
    private Set<Thread> threadsBefore;

    @BeforeAll
    static void start() {
        aem = Aem.create(1);
        loop = aem.loops().get(0);
    }

    @AfterAll
    static void stop() {
        aem.close();
    }

    @BeforeEach
    void newScheduler() {
        scheduler = aem.scheduler(loop);
        threadsBefore = new HashSet<>(Thread.getAllStackTraces().keySet());
    }

    @AfterEach
    void noThreadWasStartedAndTheSchedulerIsDisposed() {
        Set<String> started = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !threadsBefore.contains(t))
                .map(Thread::getName)
                .collect(Collectors.toSet());
        scheduler.dispose();
        assertThat(started).as("threads started during the test").isEmpty();
    }

    @Test
    void intervalTicksOnTheLoopThreadAtItsPeriod() {
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        long start = System.nanoTime();
        List<Long> ticks = Flux.interval(Duration.ofMillis(10), scheduler)
                .doOnNext(n -> threads.add(Thread.currentThread()))
                .take(10)
                .collectList()
                .block(PATIENCE);
        assertThat(ticks).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(threads).containsExactly(loop.thread());
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    }

    @Test
    void delayElementsSpacesTheElementsOnTheLoopThread() {
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        long start = System.nanoTime();
        List<Integer> out = Flux.range(1, 5)
                .delayElements(Duration.ofMillis(20), scheduler)
                .doOnNext(n -> threads.add(Thread.currentThread()))
                .collectList()
                .block(PATIENCE);
        assertThat(out).containsExactly(1, 2, 3, 4, 5);
        assertThat(threads).containsExactly(loop.thread());
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    }

    @Test
    void timeoutFiresOnTheLoopThreadAndNotBeforeItsDuration() {
        CompletableFuture<Thread> errorThread = new CompletableFuture<>();
        long start = System.nanoTime();
        assertThatExceptionOfType(RuntimeException.class)
                .isThrownBy(() -> Mono.never()
                        .timeout(Duration.ofMillis(50), scheduler)
                        .doOnError(e -> errorThread.complete(Thread.currentThread()))
                        .block(PATIENCE))
                .withCauseInstanceOf(TimeoutException.class);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(errorThread.join()).isSameAs(loop.thread());
    }

    @Test
    void timeoutDoesNotFireWhenTheValueComesInTimeAndItsTimerIsCancelled() {
        String value = Mono.delay(Duration.ofMillis(5), scheduler)
                .map(n -> "in time")
                .timeout(Duration.ofSeconds(5), scheduler)
                .block(PATIENCE);
        assertThat(value).isEqualTo("in time");
        int pending = io.aem.linux.testing.LoopProbe.onLoop(loop, () -> aem.timers(loop).pending());
        assertThat(pending).as("the timeout's wheel entry was freed").isZero();
    }

    @Test
    void publishOnMovesSignalsToTheLoopThread() {
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        Long count = Flux.range(1, 1000)
                .publishOn(scheduler)
                .doOnNext(n -> threads.add(Thread.currentThread()))
                .count()
                .block(PATIENCE);
        assertThat(count).isEqualTo(1000L);
        assertThat(threads).containsExactly(loop.thread());
    }

    @Test
    void blockOnTheLoopThreadFailsFast() {
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        scheduler.schedule(() -> {
            try {
                Mono.delay(Duration.ofSeconds(30), scheduler).block();
                failure.complete(null);
            } catch (Throwable e) {
                failure.complete(e);
            }
        });
        assertThat(failure.join())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("block()/blockFirst()/blockLast() are blocking")
                .hasMessageContaining(loop.thread().getName());
    }
}
