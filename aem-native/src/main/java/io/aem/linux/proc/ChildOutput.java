package io.aem.linux.proc;

import com.sun.jna.Memory;
import io.aem.linux.Errno;
import io.aem.linux.OwnedFd;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.sys.Io;
import io.aem.linux.sys.Pipes;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One output pipe of a child (stdout or stderr) as a publisher for one subscriber: the first
 * subscriber takes the read end and reads it as a {@link PipeSource}. A pipe nobody took by the
 * time the child is reaped is drained into the heap (what it holds then: at most its capacity,
 * 64 KiB by default) and closed, so no fd outlives the child; a subscriber arriving later gets
 * those bytes as one chunk and completion. A second subscriber, or one arriving after the pipe was
 * released unread (loop close), gets {@link IllegalStateException} saying why. Thread-safe.
 */
final class ChildOutput implements Flow.Publisher<ByteBuffer> {
    private static final System.Logger LOG = System.getLogger(ChildOutput.class.getName());

    private final EventLoop loop;
    private final String name;
    private final AtomicReference<OwnedFd> unclaimed;
    private volatile String unavailable;
    /** Loop thread writes, before {@code unclaimed} is seen empty by a task queued after it. */
    private volatile ByteBuffer drained;
    private final AtomicBoolean drainedTaken = new AtomicBoolean();

    ChildOutput(EventLoop loop, OwnedFd readEnd, String name) {
        this.loop = loop;
        this.name = name;
        this.unclaimed = new AtomicReference<>(readEnd);
        this.unavailable = "the " + name + " is already read by another subscriber; its bytes can be consumed"
                + " once: subscribe once, or share the stream downstream";
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        OwnedFd fd = unclaimed.getAndSet(null);
        if (fd != null) {
            PipeSource.publisher(loop, fd, name).subscribe(subscriber);
            return;
        }
        // Taken, drained or released: a drain runs on the loop in one go, so a task queued now
        // sees its result.
        try {
            loop.execute(() -> serveAfterRelease(subscriber));
        } catch (EventLoopClosedException e) {
            serveAfterRelease(subscriber);
        }
    }

    private void serveAfterRelease(Flow.Subscriber<? super ByteBuffer> subscriber) {
        ByteBuffer bytes = drained;
        if (bytes != null && drainedTaken.compareAndSet(false, true)) {
            drained = null;
            subscriber.onSubscribe(new DrainedSubscription(subscriber, bytes));
            return;
        }
        subscriber.onSubscribe(NoSubscription.INSTANCE);
        subscriber.onError(new IllegalStateException(unavailable));
    }

    /** Whether a subscriber has taken the pipe, or it was drained or released. */
    boolean claimed() {
        return unclaimed.get() == null;
    }

    /**
     * Loop thread, once the child is reaped: if nobody took the read end, reads what the pipe
     * holds now (stopping at end of file, at an empty pipe, or at the pipe's capacity, so a
     * process the child left behind that keeps writing cannot hold the loop) and closes it. A
     * writer still holding the pipe gets {@code EPIPE} on its next write.
     */
    void drainUnclaimed() {
        OwnedFd fd = unclaimed.getAndSet(null);
        if (fd == null) {
            return;
        }
        try {
            int capacity = Pipes.capacity(fd.get());
            int limit = capacity > 0 ? capacity : PipeSource.DEFAULT_CHUNK_SIZE;
            try (Memory buffer = new Memory(limit)) {
                int filled = 0;
                while (filled < limit) {
                    long r = Io.read(fd.get(), buffer.share(filled), limit - filled);
                    if (r > 0) {
                        filled += (int) r;
                    } else if (r == 0 || r == -Errno.EAGAIN) {
                        break;
                    } else if (r != -Errno.EINTR) {
                        LOG.log(System.Logger.Level.WARNING, "reading the unread " + name + ": " + Errno.describe((int) -r));
                        break;
                    }
                }
                ByteBuffer bytes = ByteBuffer.allocate(filled);
                bytes.put(buffer.getByteBuffer(0, filled));
                drained = bytes.flip().asReadOnlyBuffer();
            }
            unavailable = "the " + name + " was already given, as read after the exit, to another subscriber";
        } finally {
            fd.close();
        }
    }

    /**
     * Closes the read end if nobody took it, without reading it (loop close, failed start).
     * Idempotent, any thread.
     *
     * @param why completes "the stdout of pid N was ..." in the error of a later subscriber
     */
    void releaseUnread(String why) {
        OwnedFd fd = unclaimed.getAndSet(null);
        if (fd != null) {
            unavailable = "the " + name + " was " + why + "; subscribe to it before, or use"
                    + " Redirect.DISCARD / writeTo when the output is not wanted";
            fd.close();
        }
    }

    /** The bytes drained after the exit: one chunk (none when empty), then completion, under demand. */
    private static final class DrainedSubscription implements Flow.Subscription {
        private final Flow.Subscriber<? super ByteBuffer> subscriber;
        private final ByteBuffer bytes;
        private final AtomicBoolean done = new AtomicBoolean();

        DrainedSubscription(Flow.Subscriber<? super ByteBuffer> subscriber, ByteBuffer bytes) {
            this.subscriber = subscriber;
            this.bytes = bytes;
        }

        @Override
        public void request(long n) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            if (n <= 0) {
                subscriber.onError(new IllegalArgumentException(
                        "request(" + n + "): demand must be positive (Reactive Streams rule 3.9)"));
                return;
            }
            if (bytes.hasRemaining()) {
                ByteBuffer copy = ByteBuffer.allocate(bytes.remaining());
                copy.put(bytes.duplicate()).flip();
                subscriber.onNext(copy);
            }
            subscriber.onComplete();
        }

        @Override
        public void cancel() {
            done.set(true);
        }
    }

    /** The subscription given to a subscriber that is refused at once. */
    enum NoSubscription implements Flow.Subscription {
        INSTANCE;

        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
        }
    }
}
