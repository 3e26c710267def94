package io.aem.linux.timer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The wheel against a model (a map of pending timers) under random inserts at every level,
 * cancels, and advances by random jumps: a timer is handed over exactly when the wheel reaches
 * its tick, never before; ticks come in order across levels; after an advance nothing due is
 * left; cancel answers what the model says; and emptied pages are released.
 */
class TimerWheelPropertyTest {

    sealed interface Op permits Insert, Cancel, Advance, CatchUp {
    }

    record Insert(long delta) implements Op {
    }

    record Cancel(int pick) implements Op {
    }

    record Advance(long by) implements Op {
    }

    record CatchUp(long by) implements Op {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Long> delta = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 70),
                Arbitraries.longs().between(60, 5_000),
                Arbitraries.longs().between(4_000, 300_000),
                Arbitraries.longs().between(200_000, 1L << 30),
                Arbitraries.longs().between(1L << 30, 1L << 50));
        Arbitrary<Op> insert = delta.map(Insert::new);
        Arbitrary<Op> cancel = Arbitraries.integers().between(0, 1_000_000).map(Cancel::new);
        Arbitrary<Op> advance = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 3),
                Arbitraries.longs().between(1, 200),
                Arbitraries.longs().between(100, 100_000),
                Arbitraries.longs().between(1L << 20, 1L << 40)).map(Advance::new);
        Arbitrary<Op> catchUp = Arbitraries.longs().between(1, 1L << 24).map(CatchUp::new);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, catchUp),
                net.jqwik.api.Tuple.of(5, insert),
                net.jqwik.api.Tuple.of(2, cancel),
                net.jqwik.api.Tuple.of(3, advance)).list().ofMinSize(1).ofMaxSize(400);
    }

    @Property(tries = 1500)
    void timersAreHandedOverAtTheirTickInOrderAndCancelsMatchTheModel(@ForAll("ops") List<Op> ops) {
        TimerWheel wheel = new TimerWheel();
        Map<Long, Long> pending = new HashMap<>();
        List<Long> handles = new ArrayList<>();
        long[] lastHanded = {-1};
        TimerWheel.Expiry expiry = (index, payload) -> {
            long handle = wheel.entries().handle(index);
            long when = wheel.entries().when(index);
            assertThat(pending).containsKey(handle);
            assertThat(when).as("a timer is handed over at its own tick").isEqualTo(wheel.elapsed());
            assertThat(when).as("ticks come in order").isGreaterThanOrEqualTo(lastHanded[0]);
            assertThat(payload).isEqualTo(handle ^ 0x5555);
            lastHanded[0] = when;
            pending.remove(handle);
            wheel.release(index);
        };
        for (Op op : ops) {
            if (op instanceof Insert i) {
                long when = wheel.elapsed() + i.delta();
                long handle = insertTagged(wheel, when);
                long expected = Math.max(when, wheel.elapsed() + 1);
                assertThat(wheel.entries().when(wheel.entries().resolve(handle))).isEqualTo(expected);
                pending.put(handle, expected);
                handles.add(handle);
            } else if (op instanceof Cancel c) {
                if (!handles.isEmpty()) {
                    long handle = handles.get(c.pick() % handles.size());
                    boolean wasPending = pending.remove(handle) != null;
                    assertThat(wheel.cancel(handle)).isEqualTo(wasPending);
                }
            } else if (op instanceof CatchUp c) {
                long before = wheel.elapsed();
                wheel.catchUp(before + c.by());
                assertThat(wheel.elapsed()).isBetween(before, before + c.by());
                assertThat(pending.values()).as("catching up never passes a pending timer")
                        .allSatisfy(when -> assertThat(when).isGreaterThan(wheel.elapsed()));
            } else if (op instanceof Advance a) {
                long now = wheel.elapsed() + a.by();
                assertThat(wheel.advance(now, Integer.MAX_VALUE, expiry)).isTrue();
                assertThat(pending.values()).allSatisfy(when -> assertThat(when).isGreaterThan(now));
                long next = wheel.nextExpiration();
                if (pending.isEmpty()) {
                    assertThat(next).isEqualTo(TimerWheel.NONE);
                } else {
                    long earliest = pending.values().stream().min(Long::compare).orElseThrow();
                    assertThat(next).isGreaterThan(now).isLessThanOrEqualTo(earliest);
                }
            }
            assertThat(wheel.size()).isEqualTo(pending.size());
        }
        wheel.advance(TimerWheel.MAX_TICK, Integer.MAX_VALUE, expiry);
        assertThat(pending).isEmpty();
        assertThat(wheel.size()).isZero();
        assertThat(wheel.entries().pages()).as("only page 0 is left").isEqualTo(1);
        for (long handle : handles) {
            assertThat(wheel.cancel(handle)).as("a handle of a finished timer is stale").isFalse();
        }
    }

    /** Inserts a timer whose payload is its own handle ^ 0x5555 (the handle exists only after the insert). */
    private static long insertTagged(TimerWheel wheel, long when) {
        long handle = wheel.insert(null, when);
        int index = wheel.entries().resolve(handle);
        wheel.entries().payload(index, handle ^ 0x5555);
        return handle;
    }

    @Property(tries = 300)
    void aBudgetedAdvanceResumesWhereItStopped(@ForAll("counts") int count, @ForAll("budgets") int budget) {
        TimerWheel wheel = new TimerWheel();
        List<Long> handed = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            wheel.insert((long) i, 1 + (i % 7) * 100);
        }
        int[] thisCall = new int[1];
        TimerWheel.Expiry expiry = (index, payload) -> {
            handed.add(wheel.entries().when(index));
            thisCall[0]++;
            wheel.release(index);
        };
        int calls = 1;
        while (!wheel.advance(10_000, budget, expiry)) {
            assertThat(thisCall[0]).isLessThanOrEqualTo(budget);
            assertThat(wheel.nextExpiration()).as("unfinished work is due now").isLessThanOrEqualTo(wheel.elapsed());
            thisCall[0] = 0;
            calls++;
        }
        assertThat(handed).hasSize(count).isSorted();
        assertThat(calls).as("every timer handled once: fired, or moved down then fired")
                .isBetween(count / budget, 1 + 2 * count / budget);
    }

    @Provide
    Arbitrary<Integer> counts() {
        return Arbitraries.integers().between(0, 3000);
    }

    @Provide
    Arbitrary<Integer> budgets() {
        return Arbitraries.integers().between(1, 500);
    }

    @Test
    void aTimerCanCancelAnotherDueInTheSameTickAndItselfWhileDetached() {
        TimerWheel wheel = new TimerWheel();
        long[] other = new long[1];
        List<String> ran = new ArrayList<>();
        long first = wheel.insert("first", 5);
        other[0] = wheel.insert("second", 5);
        TimerWheel.Expiry expiry = (index, payload) -> {
            ran.add((String) payload);
            assertThat(wheel.cancel(other[0])).isTrue();
            assertThat(wheel.cancel(wheel.entries().handle(index))).as("cancel while detached").isTrue();
            assertThat(wheel.rearm(index, 50)).as("cancelled during its callback: freed, not re-armed").isFalse();
        };
        assertThat(wheel.advance(5, 100, expiry)).isTrue();
        assertThat(ran).containsExactly("first");
        assertThat(wheel.size()).isZero();
        assertThat(wheel.cancel(first)).isFalse();
        assertThat(wheel.nextExpiration()).isEqualTo(TimerWheel.NONE);
    }

    @Test
    void tenThousandCancelledTimersLeaveOnlyThePermanentPage() {
        TimerWheel wheel = new TimerWheel();
        long[] handles = new long[10_000];
        for (int i = 0; i < handles.length; i++) {
            handles[i] = wheel.insert(new byte[64], 1 + (long) i * 997);
        }
        assertThat(wheel.entries().pages()).isGreaterThan(2);
        wheel.advance(50_000, Integer.MAX_VALUE, (index, payload) -> wheel.release(index));
        for (long h : handles) {
            wheel.cancel(h);
        }
        assertThat(wheel.size()).isZero();
        assertThat(wheel.entries().pages()).isEqualTo(1);
        assertThat(wheel.nextExpiration()).isEqualTo(TimerWheel.NONE);
    }
}
