package io.aem.linux.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.jna.Memory;
import io.aem.linux.MissingPrivilegeException;
import io.aem.linux.UnsupportedKernelFeatureException;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopOptions;
import io.aem.linux.source.SourcePublisher;
import io.aem.linux.sys.Clock;
import io.aem.linux.sys.LibC;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.LoopProbe;
import io.aem.linux.testing.OpenFds;
import io.aem.linux.testing.RecordingSubscriber;
import io.aem.linux.testing.ThreadCapabilities;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FdLeakCheck.class)
class KernelTimerTest {
    private static EventLoop loop;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("timer-test");
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    private static RecordingSubscriber<TimerTick> subscribe(TimerSpec spec, long initialRequest) {
        RecordingSubscriber<TimerTick> sub = new RecordingSubscriber<>(initialRequest);
        new SourcePublisher<>(loop, new KernelTimer(spec)).subscribe(sub);
        return sub;
    }

    @Test
    void oneShotTimerTicksOnceNotBeforeItsDelayAndCompletes() throws Exception {
        long start = System.nanoTime();
        RecordingSubscriber<TimerTick> sub = subscribe(TimerSpec.after(Duration.ofMillis(20)), 5);
        sub.done.get(5, TimeUnit.SECONDS);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(20).toNanos());
        assertThat(sub.items).containsExactly(new TimerTick(1, false));
        assertThat(sub.threads).containsOnly("timer-test");
    }

    @Test
    void oneShotCompletesEvenWhenTheTickUsedTheLastDemand() throws Exception {
        RecordingSubscriber<TimerTick> sub = subscribe(TimerSpec.after(Duration.ofMillis(1)), 1);
        sub.done.get(5, TimeUnit.SECONDS);
        assertThat(sub.items).hasSize(1);
    }

    @Test
    void withoutDemandTheTimerfdIsNotReadAndTicksCoalesceIntoOneCount() throws Exception {
        RecordingSubscriber<TimerTick> sub = subscribe(TimerSpec.every(Duration.ofMillis(2)), 0);
        long start = System.nanoTime();
        await().pollDelay(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertThat(sub.items).isEmpty();
        sub.request(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == 1);
        long elapsedPeriods = (System.nanoTime() - start) / Duration.ofMillis(2).toNanos();
        TimerTick tick = sub.items.get(0);
        assertThat(tick.clockChanged()).isFalse();
        // At least the 100 ms waited (50 periods) accumulated in the kernel, and no more than had elapsed.
        assertThat(tick.expirations()).isBetween(45L, elapsedPeriods + 1);
        sub.request(3);
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == 4);
        sub.cancel();
    }

    @Test
    void everyExpirationIsCountedWhenTheSubscriberKeepsUp() throws Exception {
        RecordingSubscriber<TimerTick> sub = subscribe(TimerSpec.every(Duration.ofMillis(1)), Long.MAX_VALUE);
        long start = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.stream().mapToLong(TimerTick::expirations).sum() >= 100);
        sub.cancel();
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        long counted = sub.items.stream().mapToLong(TimerTick::expirations).sum();
        assertThat(counted).isBetween(100L, elapsedMs + 2);
    }

    @Test
    void cancelClosesTheTimerfd() throws Exception {
        // timerfds of earlier tests are closed on the loop after their cancel: let those closes
        // happen first, or a number freed after the snapshot could be reused by this timer
        LoopProbe.drainTasks(loop);
        Map<Integer, String> before = OpenFds.snapshot();
        RecordingSubscriber<TimerTick> sub = subscribe(TimerSpec.every(Duration.ofMillis(1)), Long.MAX_VALUE);
        await().atMost(Duration.ofSeconds(5)).until(() -> !sub.items.isEmpty());
        assertThat(OpenFds.countAnonSince(before, "timerfd")).isEqualTo(1);
        sub.cancel();
        await().atMost(Duration.ofSeconds(5)).until(() -> OpenFds.countAnonSince(before, "timerfd") == 0);
        int seen = sub.items.size();
        await().pollDelay(Duration.ofMillis(20)).until(() -> true);
        assertThat(sub.items).hasSize(seen);
        assertThat(sub.done).isNotDone();
    }

    @Test
    void badDurationsAreRefusedAtOnceWithWhatWasWrong() {
        assertThatThrownBy(() -> TimerSpec.every(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("period must be positive");
        assertThatThrownBy(() -> TimerSpec.every(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zero value disarms");
        assertThatThrownBy(() -> TimerSpec.after(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("delay must be positive");
        assertThatThrownBy(() -> TimerSpec.every(Duration.ofSeconds(1), Duration.ofNanos(-3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("period");
        assertThatThrownBy(() -> TimerSpec.at(Instant.EPOCH)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TimerSpec.after(Duration.ofSeconds(1)).withClockChangeReports())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absolute deadline");
    }

    @Test
    void aDeadlineInThePastFailsTheStreamWithWhatWasWrong() throws Exception {
        Map<Integer, String> before = OpenFds.snapshot();
        RecordingSubscriber<TimerTick> sub = subscribe(TimerSpec.at(Instant.now().minusSeconds(60)), 1);
        assertThatThrownBy(() -> sub.done.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has already passed");
        assertThat(OpenFds.countAnonSince(before, "timerfd")).isZero();
    }

    @Test
    void anAbsoluteDeadlineOnTheMonotonicClockFiresAtThatTime() throws Exception {
        long deadline = System.nanoTime() + Duration.ofMillis(30).toNanos();
        RecordingSubscriber<TimerTick> sub = subscribe(TimerSpec.at(TimerClock.MONOTONIC, deadline), 1);
        sub.done.get(5, TimeUnit.SECONDS);
        assertThat(System.nanoTime()).isGreaterThanOrEqualTo(deadline);
        assertThat(sub.items).containsExactly(new TimerTick(1, false));
    }

    @Test
    void aWallClockDeadlineFires() throws Exception {
        RecordingSubscriber<TimerTick> sub = subscribe(TimerSpec.at(Instant.now().plusMillis(30)), 1);
        sub.done.get(5, TimeUnit.SECONDS);
        assertThat(sub.items).containsExactly(new TimerTick(1, false));
    }

    @Test
    void bootTimeClockRunsPeriodicTimers() throws Exception {
        RecordingSubscriber<TimerTick> sub = subscribe(TimerSpec.every(Duration.ofMillis(1)).withClock(TimerClock.BOOTTIME), 3);
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == 3);
        sub.cancel();
    }

    @Test
    void settingTheWallClockIsReportedAndTheTimerStaysArmed() throws Exception {
        Assumptions.assumeTrue(ThreadCapabilities.has(25), "setting the clock needs CAP_SYS_TIME, which this process lacks");
        Instant deadline = Instant.now().plusMillis(700);
        RecordingSubscriber<TimerTick> sub = subscribe(TimerSpec.at(deadline).withClockChangeReports(), Long.MAX_VALUE);
        await().atMost(Duration.ofSeconds(5)).until(() -> loop.streams().stream().anyMatch(s -> s.sourceName().contains("clock changes")));
        await().pollDelay(Duration.ofMillis(50)).until(() -> true);
        // Set the realtime clock to its own current value: a discontinuity of microseconds, enough for the kernel.
        try (Memory ts = new Memory(16)) {
            long now = Clock.nanos(Clock.REALTIME);
            ts.setLong(0, now / 1_000_000_000L);
            ts.setLong(8, now % 1_000_000_000L);
            assertThat(LibC.clock_settime(Clock.REALTIME, ts)).isZero();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> !sub.items.isEmpty());
        assertThat(sub.items.get(0)).isEqualTo(new TimerTick(0, true));
        sub.done.get(5, TimeUnit.SECONDS);
        assertThat(Instant.now()).isAfterOrEqualTo(deadline);
        assertThat(sub.items).containsExactly(new TimerTick(0, true), new TimerTick(1, false));
    }

    @Test
    void alarmClocksWithoutCapWakeAlarmFailNamingTheCapability() throws Exception {
        try (EventLoop unprivileged = EventLoop.open(EventLoopOptions.defaults().withName("no-wake-alarm")
                .withThreadFactory(ThreadCapabilities.factoryWithout(ThreadCapabilities.CAP_WAKE_ALARM, "no-wake-alarm")))) {
            for (TimerClock clock : new TimerClock[] {TimerClock.REALTIME_ALARM, TimerClock.BOOTTIME_ALARM}) {
                RecordingSubscriber<TimerTick> sub = new RecordingSubscriber<>(1);
                new SourcePublisher<>(unprivileged, new KernelTimer(TimerSpec.after(Duration.ofSeconds(1)).withClock(clock)))
                        .subscribe(sub);
                assertThatThrownBy(() -> sub.done.get(5, TimeUnit.SECONDS)).cause()
                        .isInstanceOf(MissingPrivilegeException.class).hasMessageContaining("CAP_WAKE_ALARM")
                        .satisfies(e -> assertThat(((MissingPrivilegeException) e).privilege()).isEqualTo("CAP_WAKE_ALARM"));
            }
        }
    }

    @Test
    void alarmClocksWorkWithCapWakeAlarmOrSayTheKernelLacksThem() throws Exception {
        Assumptions.assumeTrue(ThreadCapabilities.has(ThreadCapabilities.CAP_WAKE_ALARM),
                "this process lacks CAP_WAKE_ALARM; the refusal is covered by the test above");
        RecordingSubscriber<TimerTick> sub = subscribe(TimerSpec.after(Duration.ofMillis(5)).withClock(TimerClock.BOOTTIME_ALARM), 1);
        try {
            sub.done.get(5, TimeUnit.SECONDS);
            assertThat(sub.items).containsExactly(new TimerTick(1, false));
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(UnsupportedKernelFeatureException.class).hasMessageContaining("BOOTTIME_ALARM");
        }
    }
}
