package io.aem.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.jna.Memory;
import io.aem.linux.OwnedFd;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.sys.Epoll;
import io.aem.linux.sys.EpollEventArray;
import io.aem.linux.sys.Fanotify;
import io.aem.linux.sys.Io;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.RecordingSubscriber;
import io.aem.linux.testing.TimedChild;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * No process waits forever: whatever ends a subscription allows what it held, and the deadline
 * does not depend on the event loop. The deadlines here are long (30 s), so a child that
 * finishes within a few seconds was released by the end of the subscription, not by its deadline.
 */
@ExtendWith(FdLeakCheck.class)
class PermissionReleaseTest {
    private static final Duration LONG_DEADLINE = Duration.ofSeconds(30);
    private static final Duration PROMPTLY = Duration.ofSeconds(5);
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static EventLoop loop;
    private PermissionTestSupport t;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("permission-release-test");
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    @BeforeEach
    void makeFiles() throws Exception {
        t = new PermissionTestSupport();
    }

    @AfterEach
    void release() {
        t.close();
    }

    private PermissionSource longDeadline() {
        return new PermissionSource(PermissionWatch.opens(FanotifyMark.path(t.dir)).withDeadline(LONG_DEADLINE));
    }

    @Test
    void cancelAllowsARequestTheSubscriberHeld() throws Exception {
        PermissionSource source = longDeadline();
        RecordingSubscriber<PermissionRequest> sub = t.subscribe(loop, source, new RecordingSubscriber<>(Long.MAX_VALUE));
        try (TimedChild cat = TimedChild.start("/bin/cat", t.file.toString())) {
            await().atMost(BOUND).until(() -> sub.items.size() == 1);
            assertThat(cat.isAlive()).isTrue();
            sub.cancel();
            TimedChild.Outcome o = cat.await(PROMPTLY);
            assertThat(o.exitCode()).isZero();
            assertThat(o.stdout()).isEqualTo(PermissionTestSupport.CONTENT);
        }
        PermissionRequest r = sub.items.get(0);
        assertThat(r.isAnswered()).isTrue();
        assertThat(r.deny()).as("an answer after the end").isFalse();
        assertThat(source.stats()).isEqualTo(new PermissionStats(1, 0, 0, 0, 1, 0, 0));
    }

    @Test
    void cancelAllowsRequestsThatWereNeverDelivered() throws Exception {
        PermissionSource source = longDeadline();
        RecordingSubscriber<PermissionRequest> sub = t.subscribe(loop, source, new RecordingSubscriber<>(0));
        try (TimedChild first = TimedChild.start("/bin/cat", t.file.toString());
                TimedChild second = TimedChild.start("/bin/cat", t.file.toString())) {
            await().atMost(BOUND).until(() -> source.stats().received() == 2);
            assertThat(first.isAlive()).isTrue();
            sub.cancel();
            assertThat(first.await(PROMPTLY).stdout()).isEqualTo(PermissionTestSupport.CONTENT);
            assertThat(second.await(PROMPTLY).stdout()).isEqualTo(PermissionTestSupport.CONTENT);
        }
        assertThat(sub.items).isEmpty();
        assertThat(source.stats().allowedAtEnd()).isEqualTo(2);
    }

    @Test
    void aSubscriberThatThrowsEndsItsStreamAndItsRequestsAreAllowed() throws Exception {
        PermissionSource source = longDeadline();
        PermissionTestSupport.Answering sub = t.subscribe(loop, source, new PermissionTestSupport.Answering(Long.MAX_VALUE, r -> {
            throw new IllegalStateException("handler failed");
        }));
        try (TimedChild cat = TimedChild.start("/bin/cat", t.file.toString())) {
            TimedChild.Outcome o = cat.await(PROMPTLY);
            assertThat(o.exitCode()).isZero();
            assertThat(o.stdout()).isEqualTo(PermissionTestSupport.CONTENT);
        }
        await().atMost(BOUND).until(sub.done::isDone);
        assertThat(sub.done).isCompletedExceptionally();
        assertThat(sub.done.handle((v, e) -> e).join()).isInstanceOf(IllegalStateException.class).hasMessage("handler failed");
        assertThat(source.stats().allowedAtEnd()).isEqualTo(1);
    }

    @Test
    void loopShutdownAllowsWhatItsStreamsHeld() throws Exception {
        PermissionSource source = longDeadline();
        EventLoop own = EventLoop.open("permission-closing-loop");
        try {
            RecordingSubscriber<PermissionRequest> sub = t.subscribe(own, source, new RecordingSubscriber<>(Long.MAX_VALUE));
            try (TimedChild cat = TimedChild.start("/bin/cat", t.file.toString())) {
                await().atMost(BOUND).until(() -> sub.items.size() == 1);
                own.close();
                assertThat(cat.await(PROMPTLY).stdout()).isEqualTo(PermissionTestSupport.CONTENT);
            }
            assertThat(sub.error()).isInstanceOf(EventLoopClosedException.class);
            assertThat(source.stats().allowedAtEnd()).isEqualTo(1);
        } finally {
            own.close();
        }
    }

    @Test
    void theDeadlineIsKeptWhileTheLoopThreadIsBlocked() throws Exception {
        Duration deadline = Duration.ofMillis(200);
        PermissionSource source = new PermissionSource(PermissionWatch.opens(FanotifyMark.path(t.dir)).withDeadline(deadline));
        CountDownLatch unblock = new CountDownLatch(1);
        CountDownLatch blocking = new CountDownLatch(1);
        t.subscribe(loop, source, new PermissionTestSupport.Answering(Long.MAX_VALUE, r -> {
            blocking.countDown();
            try {
                // A handler that blocks the loop thread (bounded, so a failure cannot hang the build).
                unblock.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        try (TimedChild first = TimedChild.start("/bin/cat", t.file.toString())) {
            assertThat(blocking.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(first.await(BOUND).stdout()).isEqualTo(PermissionTestSupport.CONTENT);
            try (TimedChild second = TimedChild.start("/bin/cat", t.file.toString())) {
                TimedChild.Outcome o = second.await(BOUND);
                assertThat(o.stdout()).isEqualTo(PermissionTestSupport.CONTENT);
                assertThat(o.elapsed()).isGreaterThanOrEqualTo(deadline);
            }
            assertThat(unblock.getCount()).as("the loop thread was blocked all along").isEqualTo(1);
            assertThat(source.stats().allowedAtDeadline()).isEqualTo(2);
        } finally {
            unblock.countDown();
        }
    }

    /**
     * The loop reads the group while it has demand, but a loop thread that is blocked does not:
     * the keeper reads the next request after the hand-over grace, long before its deadline, so
     * the deadline still counts from about when the request was made.
     */
    @Test
    void theKeeperReadsForALoopThreadThatIsBlocked() throws Exception {
        Duration deadline = Duration.ofSeconds(2);
        PermissionSource source = new PermissionSource(PermissionWatch.opens(FanotifyMark.path(t.dir)).withDeadline(deadline));
        CountDownLatch unblock = new CountDownLatch(1);
        CountDownLatch blocking = new CountDownLatch(1);
        t.subscribe(loop, source, new PermissionTestSupport.Answering(Long.MAX_VALUE, r -> {
            blocking.countDown();
            try {
                unblock.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        try (TimedChild first = TimedChild.start("/bin/cat", t.file.toString())) {
            assertThat(blocking.await(10, TimeUnit.SECONDS)).isTrue();
            try (TimedChild second = TimedChild.start("/bin/cat", t.file.toString())) {
                long started = System.nanoTime();
                await().atMost(BOUND).until(() -> source.stats().received() == 2);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).as("read while the loop was blocked")
                        .isLessThan(Duration.ofSeconds(1));
                assertThat(source.readByKeeper()).isGreaterThanOrEqualTo(1);
                assertThat(second.isAlive()).isTrue();
                TimedChild.Outcome o = second.await(BOUND);
                assertThat(o.stdout()).isEqualTo(PermissionTestSupport.CONTENT);
                assertThat(o.elapsed()).isGreaterThanOrEqualTo(deadline).isLessThan(deadline.plusSeconds(2));
            }
            assertThat(first.await(BOUND).stdout()).isEqualTo(PermissionTestSupport.CONTENT);
            assertThat(unblock.getCount()).as("the loop thread was blocked all along").isEqualTo(1);
            assertThat(source.stats().allowedAtDeadline()).isEqualTo(2);
        } finally {
            unblock.countDown();
        }
    }

    /** The kernel fact the end of a subscription relies on, checked without AEM in between. */
    @Test
    void closingAGroupFdMakesTheKernelAllowWhatItStillQueued() throws Exception {
        OwnedFd group = rawGroup();
        try (TimedChild cat = TimedChild.start("/bin/cat", t.file.toString())) {
            assertThat(readable(group)).as("the child's open is queued").isTrue();
            assertThat(cat.isAlive()).isTrue();
            group.close();
            assertThat(cat.await(PROMPTLY).stdout()).isEqualTo(PermissionTestSupport.CONTENT);
        } finally {
            group.close();
        }
    }

    /** The same for an event read (its fd received) but never answered. */
    @Test
    void closingAGroupFdMakesTheKernelAllowWhatWasReadButNotAnswered() throws Exception {
        OwnedFd group = rawGroup();
        try (TimedChild cat = TimedChild.start("/bin/cat", t.file.toString()); Memory buffer = new Memory(4096)) {
            assertThat(readable(group)).isTrue();
            long n = Io.read(group.get(), buffer, 4096);
            assertThat(n).isEqualTo(Fanotify.METADATA_SIZE);
            ByteBuffer b = buffer.getByteBuffer(0, n).order(ByteOrder.nativeOrder());
            PermissionRecords.Header h = PermissionRecords.next(b);
            assertThat(h.mask() & Fanotify.FAN_OPEN_PERM).isNotZero();
            assertThat(h.pid()).isEqualTo(cat.pid());
            Io.close(h.fd());
            assertThat(cat.isAlive()).isTrue();
            group.close();
            assertThat(cat.await(PROMPTLY).stdout()).isEqualTo(PermissionTestSupport.CONTENT);
        } finally {
            group.close();
        }
    }

    private OwnedFd rawGroup() {
        int fd = Fanotify.init(Fanotify.FAN_CLASS_CONTENT | Fanotify.FAN_CLOEXEC | Fanotify.FAN_NONBLOCK, Io.O_RDONLY | Io.O_CLOEXEC);
        assertThat(fd).isNotNegative();
        OwnedFd group = new OwnedFd(fd, "fanotify (test)");
        int r = Fanotify.mark(fd, Fanotify.FAN_MARK_ADD, Fanotify.FAN_OPEN_PERM | Fanotify.FAN_EVENT_ON_CHILD, t.dir.toString());
        assertThat(r).isZero();
        return group;
    }

    /** Waits up to ten seconds for an event in the group's queue. */
    private static boolean readable(OwnedFd group) {
        int ep = Epoll.create();
        try (OwnedFd epoll = new OwnedFd(ep, "epoll (test)"); Memory scratch = new Memory(16);
                EpollEventArray events = new EpollEventArray(1)) {
            assertThat(Epoll.ctl(ep, Epoll.EPOLL_CTL_ADD, group.get(), Epoll.EPOLLIN, 1, scratch)).isZero();
            return Epoll.wait(epoll.get(), events, 10_000) == 1;
        }
    }
}
