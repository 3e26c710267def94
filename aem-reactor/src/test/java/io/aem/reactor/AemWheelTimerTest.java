package io.aem.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.aem.linux.event.TimerTick;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.LoopProbe;
import io.aem.linux.testing.OpenFds;
import io.aem.linux.timer.LoopTimers;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.test.StepVerifier;

/** The Aem's per-loop timer wheels and the wheel timers it gives as Mono and Flux. */
@ExtendWith(FdLeakCheck.class)
class AemWheelTimerTest {
    private static Aem aem;

    @BeforeAll
    static void start() {
        aem = Aem.create(2);
    }

    @AfterAll
    static void stop() {
        aem.close();
    }

    @Test
    void eachLoopHasOneWheelOpenedOnceOnFirstUse() {
        EventLoop first = aem.loops().get(0);
        EventLoop second = aem.loops().get(1);
        LoopTimers a = aem.timers(first);
        assertThat(aem.timers(first)).isSameAs(a);
        assertThat(LoopProbe.onLoop(first, () -> aem.timers(first))).isSameAs(a);
        assertThat(a.loop()).isSameAs(first);
        assertThat(aem.timers(second)).isNotSameAs(a);
        assertThatIllegalArgumentException().isThrownBy(() -> {
            try (Aem other = Aem.create(1)) {
                aem.timers(other.loops().get(0));
            }
        });
    }

    @Test
    void wheelDelayTicksOnceOnALoopThreadNotBeforeTheDelay() {
        AtomicReference<Thread> thread = new AtomicReference<>();
        long start = System.nanoTime();
        TimerTick tick = aem.wheelDelay(Duration.ofMillis(30))
                .doOnNext(t -> thread.set(Thread.currentThread()))
                .block(Duration.ofSeconds(10));
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(30));
        assertThat(tick).isEqualTo(new TimerTick(1, false));
        assertThat(thread.get()).isInstanceOf(NonBlockingLoopThread.class);
    }

    @Test
    void wheelIntervalCoalescesTicksWhileThereIsNoDemand() {
        StepVerifier.create(aem.wheelInterval(Duration.ofMillis(2)), 0)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(100))
                .thenRequest(1)
                .assertNext(tick -> assertThat(tick.expirations()).isGreaterThanOrEqualTo(40))
                .thenRequest(3)
                .expectNextCount(3)
                .thenCancel()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void wheelIntervalWaitsForItsInitialDelay() {
        long start = System.nanoTime();
        StepVerifier.create(aem.wheelInterval(Duration.ofMillis(50), Duration.ofMillis(5)).take(3))
                .expectNextCount(3)
                .verifyComplete();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(60));
    }

    @Test
    void wrongDurationsAreRefusedAtAssembly() {
        assertThatIllegalArgumentException().isThrownBy(() -> aem.wheelDelay(Duration.ofMillis(-1)));
        assertThatIllegalArgumentException().isThrownBy(() -> aem.wheelInterval(Duration.ZERO));
        assertThatIllegalArgumentException().isThrownBy(() -> aem.wheelInterval(Duration.ofMillis(-1), Duration.ofMillis(1)));
    }

    @Test
    void closingTheAemEndsWheelStreamsAndClosesEveryWheelFd() {
        Map<Integer, String> before = OpenFds.snapshot();
        Aem own = Aem.create(2);
        own.loops().forEach(own::timers);
        assertThat(OpenFds.countAnonSince(before, "timerfd")).isEqualTo(2);
        StepVerifier.create(own.wheelInterval(Duration.ofSeconds(10)))
                .expectSubscription()
                .then(own::close)
                .expectError(EventLoopClosedException.class)
                .verify(Duration.ofSeconds(10));
        assertThat(own.loops()).allMatch(EventLoop::isClosed);
        OpenFds.awaitClosedSince(before, "closed Aem", Duration.ofSeconds(10));
    }
}
