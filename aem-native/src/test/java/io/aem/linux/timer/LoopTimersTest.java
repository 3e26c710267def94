package io.aem.linux.timer;

import static io.aem.linux.testing.LoopProbe.onLoop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.LoopProbe;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FdLeakCheck.class)
class LoopTimersTest {
    private static EventLoop loop;
    private static LoopTimers timers;

    @BeforeAll
    static void open() throws Exception {
        loop = EventLoop.open("wheel-test");
        timers = LoopTimers.open(loop);
    }

    @AfterAll
    static void close() {
        timers.close();
        loop.close();
    }

    /** What one fire saw: its deadline, when the timerfd was armed for, when it ran. */
    record Fire(int id, long deadline, long armedFor, long ranAt) {
    }

    @Test
    void idleLoopArmsTheKernelWithinOneTickAfterEachDeadlineAtEveryLevel() throws Exception {
        // delays that put the timer at level 0, 1 and 2 of the wheel (one tick is 0.13 ms)
        for (long delayMicros : new long[] {300, 5_000, 150_000, 2_500_000}) {
            CompletableFuture<Fire> fired = new CompletableFuture<>();
            long[] window = new long[2];
            onLoop(loop, () -> {
                window[0] = System.nanoTime() + delayMicros * 1000;
                timers.schedule(() -> fired.complete(new Fire(0, 0, timers.lastArmedNanos(), System.nanoTime())),
                        delayMicros, TimeUnit.MICROSECONDS);
                window[1] = System.nanoTime() + delayMicros * 1000;
                return null;
            });
            Fire f = fired.get(10, TimeUnit.SECONDS);
            // the deadline lies in [window[0], window[1]]: the clock was read inside schedule().
            // The last wake-up asked of the kernel before the run is at most one tick after the
            // deadline; it may be earlier (the start of a higher slot, whose timers then move
            // down) when the loop reached it late, and the timer still never runs early.
            assertThat(f.ranAt()).as("never before the deadline (%d µs)", delayMicros).isGreaterThanOrEqualTo(window[0]);
            assertThat(f.armedFor()).as("the wake-up asked of the kernel, %d µs timer", delayMicros)
                    .isLessThan(window[1] + timers.tickNanos());
            assertThat(f.ranAt()).isGreaterThanOrEqualTo(f.armedFor());
        }
    }

    @Test
    void firesComeInDeadlineOrderAcrossTicksAndLevelsAndNeverEarly() throws Exception {
        int count = 2_000;
        List<Fire> fires = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> all = new CompletableFuture<>();
        AtomicInteger left = new AtomicInteger(count);
        java.util.Random random = new java.util.Random(42);
        long[] delays = new long[count];
        for (int i = 0; i < count; i++) {
            delays[i] = random.nextInt(3) == 0 ? random.nextInt(2_000_000) : random.nextInt(400_000_000);
        }
        onLoop(loop, () -> {
            for (int i = 0; i < count; i++) {
                int id = i;
                long deadline = System.nanoTime() + delays[i];
                timers.scheduleAt(() -> {
                    fires.add(new Fire(id, deadline, 0, System.nanoTime()));
                    if (left.decrementAndGet() == 0) {
                        all.complete(null);
                    }
                }, deadline);
            }
            return null;
        });
        all.get(20, TimeUnit.SECONDS);
        long tick = timers.tickNanos();
        for (int i = 0; i < fires.size(); i++) {
            Fire f = fires.get(i);
            assertThat(f.ranAt()).as("fire %d", f.id()).isGreaterThanOrEqualTo(f.deadline());
            if (i > 0) {
                Fire before = fires.get(i - 1);
                assertThat(before.deadline()).as("a timer due a full tick later never runs first")
                        .isLessThan(f.deadline() + tick);
            }
        }
        assertThat(onLoop(loop, timers::pending)).isZero();
    }

    @Test
    void aTimerDueInTheSameTickCanBeCancelledByTheFirstThatRuns() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        AtomicLong[] handles = {new AtomicLong(), new AtomicLong()};
        AtomicInteger cancelResult = new AtomicInteger(-1);
        onLoop(loop, () -> {
            long deadline = System.nanoTime() + 20_000_000;
            for (int i = 0; i < 2; i++) {
                int me = i;
                handles[i].set(timers.scheduleAt(() -> {
                    ran.add("timer " + me);
                    cancelResult.set(timers.cancel(handles[1 - me].get()) ? 1 : 0);
                }, deadline));
            }
            return null;
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> !ran.isEmpty());
        LoopProbe.drainTasks(loop);
        await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(5)).until(() -> ran.size() == 1);
        assertThat(cancelResult.get()).as("the other timer was still pending in the same tick").isEqualTo(1);
        assertThat(onLoop(loop, timers::pending)).isZero();
    }

    @Test
    void tenThousandTimersCancelledMidFlightLeaveNoMemoryBehind() throws Exception {
        int count = 10_000;
        long[] handles = new long[count];
        List<WeakReference<Runnable>> tasks = new ArrayList<>();
        AtomicInteger ran = new AtomicInteger();
        long capacityBefore = onLoop(loop, timers::capacity);
        onLoop(loop, () -> {
            for (int i = 0; i < count; i++) {
                Runnable task = new Runnable() {
                    final byte[] state = new byte[32];

                    @Override
                    public void run() {
                        ran.incrementAndGet();
                    }
                };
                tasks.add(new WeakReference<>(task));
                handles[i] = timers.schedule(task, 2_000 + (i % 5_000), TimeUnit.MILLISECONDS);
            }
            return null;
        });
        assertThat(onLoop(loop, timers::capacity)).isGreaterThan(capacityBefore);
        // some time in flight: none of them is due for 2 s
        await().during(Duration.ofMillis(150)).atMost(Duration.ofSeconds(5)).until(() -> ran.get() == 0);
        int cancelled = onLoop(loop, () -> {
            int n = 0;
            for (long h : handles) {
                n += timers.cancel(h) ? 1 : 0;
            }
            return n;
        });
        assertThat(cancelled + ran.get()).isEqualTo(count);
        assertThat(cancelled).as("all were still pending").isEqualTo(count);
        assertThat(onLoop(loop, timers::pending)).isZero();
        assertThat(onLoop(loop, timers::capacity)).as("entry pages released").isEqualTo(capacityBefore);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            System.gc();
            return tasks.stream().allMatch(r -> r.get() == null);
        });
        // no cancelled task runs later
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> ran.get() == count - cancelled);
    }

    @Test
    void periodicTimerStaysOnItsGridAndCoalescesPeriodsTheLoopMissed() throws Exception {
        List<Long> ticks = new CopyOnWriteArrayList<>();
        long handle = onLoop(loop, () -> timers.schedulePeriodic(ticks::add, 10, 10, TimeUnit.MILLISECONDS));
        await().atMost(Duration.ofSeconds(5)).until(() -> ticks.size() >= 3);
        onLoop(loop, () -> {
            long until = System.nanoTime() + 75_000_000;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            return null;
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> ticks.stream().anyMatch(n -> n >= 5));
        assertThat(onLoop(loop, () -> timers.cancel(handle))).isTrue();
        int seen = ticks.size();
        await().during(Duration.ofMillis(60)).atMost(Duration.ofSeconds(5)).until(() -> ticks.size() == seen);
        assertThat(onLoop(loop, () -> timers.cancel(handle))).isFalse();
    }

    @Test
    void aPeriodicTimerCanCancelItselfFromItsHandler() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        AtomicLong handle = new AtomicLong();
        onLoop(loop, () -> {
            handle.set(timers.schedulePeriodic(n -> {
                if (calls.incrementAndGet() == 3) {
                    assertThat(timers.cancel(handle.get())).isTrue();
                }
            }, 1, 1, TimeUnit.MILLISECONDS));
            return null;
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() >= 3);
        await().during(Duration.ofMillis(30)).atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 3);
        assertThat(onLoop(loop, timers::pending)).isZero();
    }

    @Test
    void timeoutsFromAnotherThreadRunOnTheLoopOrNotAtAllOnceCancelled() throws Exception {
        Map<Integer, String> ranOn = new ConcurrentHashMap<>();
        List<WheelTimeout> kept = new ArrayList<>();
        List<WheelTimeout> cancelled = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int id = i;
            long delay = i % 2 == 0 ? 5 + i % 20 : 2_000 + i;
            WheelTimeout t = timers.newTimeout(() -> ranOn.put(id, Thread.currentThread().getName()), delay,
                    TimeUnit.MILLISECONDS);
            (i % 2 == 0 ? kept : cancelled).add(t);
        }
        for (WheelTimeout t : cancelled) {
            assertThat(t.cancel()).isTrue();
            assertThat(t.cancel()).isFalse();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> kept.stream().allMatch(WheelTimeout::isExpired));
        await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(5)).until(() -> ranOn.size() == kept.size());
        assertThat(ranOn.keySet()).allMatch(id -> id % 2 == 0);
        assertThat(ranOn.values()).containsOnly(loop.thread().getName());
        assertThat(cancelled).allMatch(WheelTimeout::isCancelled).noneMatch(WheelTimeout::isExpired);
        assertThat(kept.get(0).cancel()).as("too late once it ran").isFalse();
        assertThat(onLoop(loop, timers::pending)).isZero();
    }

    @Test
    void aPeriodicTimeoutFromAnotherThreadRunsUntilCancelled() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        WheelTimeout t = timers.newPeriodic(runs::incrementAndGet, 0, 2, TimeUnit.MILLISECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() >= 5);
        assertThat(t.cancel()).isTrue();
        LoopProbe.drainTasks(loop);
        int seen = runs.get();
        await().during(Duration.ofMillis(30)).atMost(Duration.ofSeconds(5)).until(() -> runs.get() == seen);
        assertThat(t.isExpired()).isFalse();
        assertThat(onLoop(loop, timers::pending)).isZero();
    }

    @Test
    void loopThreadMethodsRefuseOtherThreadsAndBadArgumentsAreNamed() {
        assertThatThrownBy(() -> timers.schedule(() -> { }, 1, TimeUnit.SECONDS))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("newTimeout");
        assertThatThrownBy(() -> timers.cancel(1L)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> timers.newTimeout(() -> { }, -1, TimeUnit.SECONDS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delay must be >= 0");
        assertThatThrownBy(() -> timers.newPeriodic(() -> { }, 0, 0, TimeUnit.SECONDS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("EventLoop.execute");
        assertThatThrownBy(() -> LoopTimers.open(loop, Duration.ofNanos(100)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2^10");
        assertThat(onLoop(loop, () -> timers.cancel(12345L))).as("a handle never given out").isFalse();
    }

    @Test
    void closingTheWheelDropsPendingTimersAndClosesItsTimerfd() throws Exception {
        LoopTimers own = LoopTimers.open(loop, Duration.ofMillis(1));
        assertThat(own.tickNanos()).isEqualTo(1L << 20);
        AtomicInteger ran = new AtomicInteger();
        WheelTimeout t = own.newTimeout(ran::incrementAndGet, 30, TimeUnit.MILLISECONDS);
        onLoop(loop, () -> own.schedule(ran::incrementAndGet, 30, TimeUnit.MILLISECONDS));
        own.close();
        LoopProbe.drainTasks(loop);
        assertThat(own.isClosed()).isTrue();
        await().during(Duration.ofMillis(80)).atMost(Duration.ofSeconds(5)).until(() -> ran.get() == 0);
        assertThat(t.isExpired()).isFalse();
        assertThatThrownBy(() -> own.newTimeout(() -> { }, 1, TimeUnit.MILLISECONDS))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        own.close();
    }

    @Test
    void closingTheLoopClosesItsWheels() throws Exception {
        EventLoop other = EventLoop.open("wheel-close-test");
        LoopTimers own = LoopTimers.open(other);
        AtomicInteger ran = new AtomicInteger();
        own.newTimeout(ran::incrementAndGet, 1, TimeUnit.HOURS);
        other.close();
        assertThat(own.isClosed()).isTrue();
        assertThat(ran.get()).isZero();
    }
}
