package io.aem.linux.timer;

import static io.aem.linux.testing.LoopProbe.onLoop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.event.TimerTick;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.LoopProbe;
import io.aem.linux.testing.RecordingSubscriber;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FdLeakCheck.class)
class WheelTimerTest {
    private static EventLoop loop;
    private static LoopTimers timers;

    @BeforeAll
    static void open() throws Exception {
        loop = EventLoop.open("wheel-timer-test");
        timers = LoopTimers.open(loop);
    }

    @AfterAll
    static void close() {
        loop.close();
    }

    @Test
    void oneShotDeliversOneTickOnTheLoopThenCompletes() throws Exception {
        RecordingSubscriber<TimerTick> sub = new RecordingSubscriber<>(1);
        long start = System.nanoTime();
        WheelTimer.after(timers, Duration.ofMillis(20)).subscribe(sub);
        sub.done.get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(20_000_000);
        assertThat(sub.items).containsExactly(new TimerTick(1, false));
        assertThat(sub.threads).containsOnly(loop.thread().getName());
        assertThat(onLoop(loop, timers::pending)).isZero();
    }

    @Test
    void withoutDemandAPeriodicTimerLeavesTheWheelAndDeliversTheMissedPeriodsAsOneCount() throws Exception {
        RecordingSubscriber<TimerTick> sub = new RecordingSubscriber<>(2);
        WheelTimer.every(timers, Duration.ZERO, Duration.ofMillis(5)).subscribe(sub);
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> onLoop(loop, timers::pending) == 0);
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == 2);
        sub.request(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == 3);
        assertThat(sub.items.get(2).expirations()).as("about 20 periods of 5 ms passed without demand")
                .isGreaterThanOrEqualTo(15);
        sub.request(1_000);
        LoopProbe.drainTasks(loop);
        assertThat(onLoop(loop, timers::pending)).as("back on the wheel while it has demand").isEqualTo(1);
        sub.cancel();
        LoopProbe.drainTasks(loop);
        assertThat(onLoop(loop, timers::pending)).isZero();
        assertThat(sub.done).isNotDone();
    }

    @Test
    void unboundedDemandGetsEveryPeriodAndCancelStopsIt() throws Exception {
        RecordingSubscriber<TimerTick> sub = new RecordingSubscriber<>(Long.MAX_VALUE);
        WheelTimer.every(timers, Duration.ofMillis(1), Duration.ofMillis(2)).subscribe(sub);
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() >= 10);
        sub.cancel();
        LoopProbe.drainTasks(loop);
        int seen = sub.items.size();
        await().during(Duration.ofMillis(30)).atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == seen);
        long total = sub.items.stream().mapToLong(TimerTick::expirations).sum();
        assertThat(total).isGreaterThanOrEqualTo(seen);
        assertThat(onLoop(loop, timers::pending)).isZero();
    }

    @Test
    void aZeroRequestEndsTheStreamWithRule39() throws Exception {
        RecordingSubscriber<TimerTick> sub = new RecordingSubscriber<>(0);
        WheelTimer.after(timers, Duration.ofSeconds(10)).subscribe(sub);
        sub.subscription.get(5, java.util.concurrent.TimeUnit.SECONDS).request(0);
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.done.isDone());
        assertThat(sub.error()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3.9");
        assertThat(onLoop(loop, timers::pending)).isZero();
    }

    @Test
    void closingTheWheelOrTheLoopEndsLiveStreams() throws Exception {
        EventLoop other = EventLoop.open("wheel-timer-close");
        LoopTimers own = LoopTimers.open(other);
        RecordingSubscriber<TimerTick> a = new RecordingSubscriber<>(1);
        WheelTimer.after(own, Duration.ofHours(1)).subscribe(a);
        a.subscription.get(5, java.util.concurrent.TimeUnit.SECONDS);
        LoopProbe.drainTasks(other);
        own.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.done.isDone());
        assertThat(a.error()).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");

        LoopTimers second = LoopTimers.open(other);
        RecordingSubscriber<TimerTick> b = new RecordingSubscriber<>(1);
        WheelTimer.every(second, Duration.ZERO, Duration.ofHours(1)).subscribe(b);
        await().atMost(Duration.ofSeconds(5)).until(() -> b.items.size() == 1);
        other.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> b.done.isDone());
        assertThat(b.error()).isInstanceOf(EventLoopClosedException.class);
    }
}
