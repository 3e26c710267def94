package io.aem.linux.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aem.linux.testing.FdLeakCheck;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FdLeakCheck.class)
class LoopTimeoutTest {

    @Test
    void aTimeoutRunsOnTheLoopThreadNotBeforeItsDeadline() throws Exception {
        try (EventLoop loop = EventLoop.open("timeout")) {
            CompletableFuture<long[]> ran = new CompletableFuture<>();
            long start = System.nanoTime();
            LoopTimeout t = loop.schedule(() -> ran.complete(new long[] {System.nanoTime(), loop.inEventLoop() ? 1 : 0}),
                    20, TimeUnit.MILLISECONDS);
            long[] r = ran.get(5, TimeUnit.SECONDS);
            assertThat(r[0] - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
            assertThat(r[0]).isGreaterThanOrEqualTo(t.deadlineNanos());
            assertThat(r[1]).isEqualTo(1);
        }
    }

    @Test
    void timeoutsRunInDeadlineOrderWhateverTheSchedulingOrder() throws Exception {
        try (EventLoop loop = EventLoop.open("timeout-order")) {
            List<Integer> order = new CopyOnWriteArrayList<>();
            CountDownLatch done = new CountDownLatch(3);
            CompletableFuture.runAsync(() -> {
                loop.schedule(() -> { order.add(30); done.countDown(); }, 30, TimeUnit.MILLISECONDS);
                loop.schedule(() -> { order.add(10); done.countDown(); }, 10, TimeUnit.MILLISECONDS);
                loop.schedule(() -> { order.add(20); done.countDown(); }, 20, TimeUnit.MILLISECONDS);
            }, loop).get(5, TimeUnit.SECONDS);
            assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(order).containsExactly(10, 20, 30);
        }
    }

    @Test
    void aCancelledTimeoutNeverRuns() throws Exception {
        try (EventLoop loop = EventLoop.open("timeout-cancel")) {
            List<String> ran = new CopyOnWriteArrayList<>();
            LoopTimeout fromOutside = loop.schedule(() -> ran.add("outside"), 10, TimeUnit.MILLISECONDS);
            fromOutside.cancel();
            LoopTimeout inside = CompletableFuture.supplyAsync(
                    () -> loop.schedule(() -> ran.add("inside"), 10, TimeUnit.MILLISECONDS), loop).get(5, TimeUnit.SECONDS);
            inside.cancel();
            CompletableFuture<Void> later = new CompletableFuture<>();
            loop.schedule(() -> later.complete(null), 40, TimeUnit.MILLISECONDS);
            later.get(5, TimeUnit.SECONDS);
            assertThat(ran).isEmpty();
            assertThat(fromOutside.isCancelled()).isTrue();
        }
    }

    @Test
    void aNegativeDelayAndAClosedLoopAreRefused() throws Exception {
        EventLoop loop = EventLoop.open("timeout-refused");
        assertThatThrownBy(() -> loop.schedule(() -> { }, -1, TimeUnit.MILLISECONDS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        loop.close();
        assertThatThrownBy(() -> loop.schedule(() -> { }, 1, TimeUnit.MILLISECONDS))
                .isInstanceOf(EventLoopClosedException.class);
    }
}
