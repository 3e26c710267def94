package io.aem.linux.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.aem.linux.event.KernelTimer;
import io.aem.linux.event.TimerSpec;
import io.aem.linux.event.TimerTick;
import io.aem.linux.event.UserEvents;
import io.aem.linux.source.SourcePublisher;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.OpenFds;
import io.aem.linux.testing.RecordingSubscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FdLeakCheck.class)
class EventLoopTest {

    @Test
    void aSubscriberThatThrowsEndsOnlyItsOwnStream() throws Exception {
        try (EventLoop loop = EventLoop.open("throwing")) {
            UserEvents bad = UserEvents.create("bad");
            UserEvents good = UserEvents.create("good");
            CompletableFuture<Throwable> badError = new CompletableFuture<>();
            RuntimeException boom = new IllegalStateException("boom");
            new SourcePublisher<>(loop, bad).subscribe(new Flow.Subscriber<Long>() {
                public void onSubscribe(Flow.Subscription s) { s.request(Long.MAX_VALUE); }
                public void onNext(Long item) { throw boom; }
                public void onError(Throwable t) { badError.complete(t); }
                public void onComplete() { badError.complete(null); }
            });
            RecordingSubscriber<Long> goodSub = new RecordingSubscriber<>(Long.MAX_VALUE);
            new SourcePublisher<>(loop, good).subscribe(goodSub);
            bad.signal();
            assertThat(badError.get(5, TimeUnit.SECONDS)).isSameAs(boom);
            await().atMost(Duration.ofSeconds(5)).until(() -> !bad.isOpen());
            good.signal(2);
            await().atMost(Duration.ofSeconds(5)).until(() -> goodSub.items.size() == 1);
            assertThat(goodSub.items).containsExactly(2L);
            assertThat(loop.isClosed()).isFalse();
            goodSub.cancel();
        }
    }

    @Test
    void aTaskThatThrowsDoesNotStopTheLoop() throws Exception {
        try (EventLoop loop = EventLoop.open("task-throws")) {
            loop.execute(() -> {
                throw new IllegalStateException("task failure (expected by the test)");
            });
            assertThat(CompletableFuture.supplyAsync(() -> "still running", loop).get(5, TimeUnit.SECONDS)).isEqualTo("still running");
        }
    }

    @Test
    void shutdownWithLiveStreamsEndsThemAllAndClosesEveryFd() throws Exception {
        Map<Integer, String> eventfdsBefore = OpenFds.snapshot();
        Map<Integer, String> timerfdsBefore = OpenFds.snapshot();
        EventLoop loop = EventLoop.open("shutdown");
        List<RecordingSubscriber<?>> subs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RecordingSubscriber<TimerTick> t = new RecordingSubscriber<>(Long.MAX_VALUE);
            new SourcePublisher<>(loop, new KernelTimer(TimerSpec.every(Duration.ofMillis(3)))).subscribe(t);
            subs.add(t);
            RecordingSubscriber<Long> u = new RecordingSubscriber<>(0);
            new SourcePublisher<>(loop, UserEvents.create("live-" + i)).subscribe(u);
            subs.add(u);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> loop.streams().size() == 10);
        loop.close();
        assertThat(loop.terminationFuture()).isDone();
        for (RecordingSubscriber<?> s : subs) {
            assertThat(s.error()).isInstanceOf(EventLoopClosedException.class).hasMessageContaining("shutdown")
                    .hasMessageContaining("'shutdown'");
        }
        assertThat(OpenFds.countAnonSince(eventfdsBefore, "eventfd")).isZero();
        assertThat(OpenFds.countAnonSince(timerfdsBefore, "timerfd")).isZero();
        assertThat(loop.streams()).isEmpty();
    }

    @Test
    void aClosedLoopRefusesTasksAndSubscriptionsWithATypedError() throws Exception {
        EventLoop loop = EventLoop.open("closed");
        loop.close();
        loop.close();
        assertThatThrownBy(() -> loop.execute(() -> { })).isInstanceOf(EventLoopClosedException.class)
                .hasMessageContaining("'closed' is closed");
        RecordingSubscriber<TimerTick> sub = new RecordingSubscriber<>(1);
        new SourcePublisher<>(loop, new KernelTimer(TimerSpec.after(Duration.ofMillis(1)))).subscribe(sub);
        assertThat(sub.subscription).isDone();
        assertThat(sub.error()).isInstanceOf(EventLoopClosedException.class);
    }

    @Test
    void requestOfZeroOrLessEndsTheStreamWithIllegalArgumentAndClosesTheFd() throws Exception {
        Map<Integer, String> before = OpenFds.snapshot();
        try (EventLoop loop = EventLoop.open("rule-3-9")) {
            for (long bad : new long[] {0, -1, Long.MIN_VALUE}) {
                RecordingSubscriber<TimerTick> sub = new RecordingSubscriber<>(1);
                new SourcePublisher<>(loop, new KernelTimer(TimerSpec.every(Duration.ofMillis(50)))).subscribe(sub);
                await().atMost(Duration.ofSeconds(5)).until(() -> loop.streams().size() == 1);
                sub.request(bad);
                assertThatThrownBy(() -> sub.done.get(5, TimeUnit.SECONDS)).cause()
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3.9")
                        .hasMessageContaining(Long.toString(bad));
                await().atMost(Duration.ofSeconds(5)).until(() -> OpenFds.countAnonSince(before, "timerfd") == 0);
                assertThat(loop.streams()).isEmpty();
            }
        }
    }

    @Test
    void workFromOtherThreadsRunsOnTheLoopThreadInOrder() throws Exception {
        try (EventLoop loop = EventLoop.open("order")) {
            List<Integer> seen = new ArrayList<>();
            AtomicInteger wrongThread = new AtomicInteger();
            for (int i = 0; i < 1000; i++) {
                int n = i;
                loop.execute(() -> {
                    if (!loop.inEventLoop()) {
                        wrongThread.incrementAndGet();
                    }
                    seen.add(n);
                });
            }
            CompletableFuture.runAsync(() -> { }, loop).get(5, TimeUnit.SECONDS);
            assertThat(wrongThread).hasValue(0);
            assertThat(seen).hasSize(1000).isSorted();
            assertThat(loop.inEventLoop()).isFalse();
        }
    }

    @Test
    void registrationIsLoopThreadOnly() throws Exception {
        try (EventLoop loop = EventLoop.open("confined"); UserEvents events = UserEvents.create("x")) {
            assertThatThrownBy(() -> loop.register(null, 0, null)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("execute()");
        }
    }

    @Test
    void optionsRefuseBadValuesBeforeAnyThreadExists() {
        assertThatThrownBy(() -> EventLoopOptions.defaults().withRealtime(RealtimePolicy.FIFO, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("between 1 and 99");
        assertThatThrownBy(() -> EventLoopOptions.defaults().withRealtime(RealtimePolicy.ROUND_ROBIN, 100))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventLoopOptions.defaults().withCpuAffinity(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventLoopOptions.defaults().withName(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventLoopOptions.defaults().withMaxEventsPerWait(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
