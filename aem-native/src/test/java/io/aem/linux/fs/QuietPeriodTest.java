package io.aem.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.RecordingSubscriber;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The operator's rules, fed by a hand-driven upstream; the watch sources' own tests feed it kernel events. */
@ExtendWith(FdLeakCheck.class)
class QuietPeriodTest {
    private static final Path A = Path.of("/w/a");
    private static final Path B = Path.of("/w/b");
    private EventLoop loop;

    @BeforeEach
    void openLoop() throws Exception {
        loop = EventLoop.open("quiet");
    }

    @AfterEach
    void closeLoop() {
        loop.close();
    }

    /** An upstream driven by the test: records demand and cancel, emits on the loop thread as sources do. */
    private final class Upstream implements Flow.Publisher<FileEvent>, Flow.Subscription {
        final AtomicLong requested = new AtomicLong();
        volatile boolean cancelled;
        volatile Flow.Subscriber<? super FileEvent> subscriber;

        @Override
        public void subscribe(Flow.Subscriber<? super FileEvent> s) {
            subscriber = s;
            s.onSubscribe(this);
        }

        @Override
        public void request(long n) {
            requested.addAndGet(n);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        void emit(FileEvent e) {
            loop.execute(() -> subscriber.onNext(e));
        }

        void complete() {
            loop.execute(() -> subscriber.onComplete());
        }
    }

    @Test
    void aBurstOnOnePathGivesItsLastEventOnceThePathIsQuiet() {
        Upstream up = new Upstream();
        RecordingSubscriber<FileEvent> sub = new RecordingSubscriber<>(Long.MAX_VALUE);
        new QuietPeriod(up, loop, Duration.ofMillis(100), 16).subscribe(sub);
        long start = System.nanoTime();
        up.emit(FileEvent.of(FileEventKind.OPEN, A, false));
        up.emit(FileEvent.of(FileEventKind.MODIFY, A, false));
        up.emit(FileEvent.of(FileEventKind.CLOSE_WRITE, A, false));
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == 1);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(100).toNanos());
        assertThat(sub.items).containsExactly(FileEvent.of(FileEventKind.CLOSE_WRITE, A, false));
    }

    @Test
    void activityWithinThePeriodPostponesTheEvent() throws Exception {
        Upstream up = new Upstream();
        CopyOnWriteArrayList<Long> at = new CopyOnWriteArrayList<>();
        new QuietPeriod(up, loop, Duration.ofMillis(150), 16).subscribe(new Flow.Subscriber<FileEvent>() {
            public void onSubscribe(Flow.Subscription s) { s.request(Long.MAX_VALUE); }
            public void onNext(FileEvent item) { at.add(System.nanoTime()); }
            public void onError(Throwable t) { }
            public void onComplete() { }
        });
        up.emit(FileEvent.of(FileEventKind.MODIFY, A, false));
        await().pollDelay(Duration.ofMillis(80)).until(() -> true);
        long lastActivity = System.nanoTime();
        up.emit(FileEvent.of(FileEventKind.MODIFY, A, false));
        await().atMost(Duration.ofSeconds(5)).until(() -> at.size() == 1);
        assertThat(at.get(0) - lastActivity).isGreaterThanOrEqualTo(Duration.ofMillis(150).toNanos());
    }

    @Test
    void aRenameWriteGivesOneEventForTheNewPath() {
        Upstream up = new Upstream();
        RecordingSubscriber<FileEvent> sub = new RecordingSubscriber<>(Long.MAX_VALUE);
        new QuietPeriod(up, loop, Duration.ofMillis(50), 16).subscribe(sub);
        Path tmp = Path.of("/w/a.tmp");
        up.emit(FileEvent.of(FileEventKind.CREATE, tmp, false));
        up.emit(FileEvent.of(FileEventKind.CLOSE_WRITE, tmp, false));
        up.emit(new FileEvent(FileEventKind.RENAME, A, tmp, false));
        up.complete();
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.done.isDone());
        assertThat(sub.items).containsExactly(new FileEvent(FileEventKind.RENAME, A, tmp, false));
    }

    @Test
    void markersPassThroughAtOnceAndCompletionFlushesWaitingPaths() {
        Upstream up = new Upstream();
        RecordingSubscriber<FileEvent> sub = new RecordingSubscriber<>(Long.MAX_VALUE);
        new QuietPeriod(up, loop, Duration.ofHours(1), 16).subscribe(sub);
        up.emit(FileEvent.of(FileEventKind.MODIFY, A, false));
        up.emit(FileEvent.of(FileEventKind.OVERFLOW, Path.of("/w"), true));
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == 1);
        assertThat(sub.items.get(0).kind()).isEqualTo(FileEventKind.OVERFLOW);
        up.emit(FileEvent.of(FileEventKind.DELETE, B, false));
        up.complete();
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.done.isDone());
        assertThat(sub.items).extracting(FileEvent::path).containsExactlyInAnyOrder(Path.of("/w"), A, B);
    }

    @Test
    void withoutDownstreamDemandUpstreamDemandStopsAtTheLimitOfWaitingPaths() {
        Upstream up = new Upstream();
        RecordingSubscriber<FileEvent> sub = new RecordingSubscriber<>(0);
        new QuietPeriod(up, loop, Duration.ofMillis(10), 4).subscribe(sub);
        await().atMost(Duration.ofSeconds(5)).until(() -> up.requested.get() == 4);
        for (int i = 0; i < 4; i++) {
            up.emit(FileEvent.of(FileEventKind.MODIFY, Path.of("/w/f" + i), false));
        }
        await().pollDelay(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertThat(up.requested.get()).isEqualTo(4);
        assertThat(sub.items).isEmpty();
        sub.request(4);
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.items.size() == 4);
        await().atMost(Duration.ofSeconds(5)).until(() -> up.requested.get() == 8);
    }

    @Test
    void eventsOfOnePathCoalesceSoUpstreamDemandGoesOnWithoutDownstreamDemand() {
        Upstream up = new Upstream();
        RecordingSubscriber<FileEvent> sub = new RecordingSubscriber<>(0);
        new QuietPeriod(up, loop, Duration.ofHours(1), 4).subscribe(sub);
        await().atMost(Duration.ofSeconds(5)).until(() -> up.requested.get() == 4);
        for (int i = 0; i < 100; i++) {
            up.emit(FileEvent.of(FileEventKind.MODIFY, A, false));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> up.requested.get() >= 100);
    }

    @Test
    void cancelCancelsUpstreamAndNothingIsEmittedAfterwards() {
        Upstream up = new Upstream();
        RecordingSubscriber<FileEvent> sub = new RecordingSubscriber<>(Long.MAX_VALUE);
        new QuietPeriod(up, loop, Duration.ofMillis(30), 16).subscribe(sub);
        up.emit(FileEvent.of(FileEventKind.MODIFY, A, false));
        sub.cancel();
        await().atMost(Duration.ofSeconds(5)).until(() -> up.cancelled);
        await().pollDelay(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertThat(sub.items).isEmpty();
    }
}
