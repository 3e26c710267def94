package io.aem.linux.proc;

import io.aem.linux.OwnedFd;
import io.aem.linux.loop.EventLoop;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One output pipe of a child (stdout or stderr) as a publisher for one subscriber: the first
 * subscriber takes the read end and reads it as a {@link PipeSource}; a later subscriber, or one
 * arriving after the unread pipe was released, gets {@link IllegalStateException} saying why.
 * Thread-safe.
 */
final class ChildOutput implements Flow.Publisher<ByteBuffer> {
    private final EventLoop loop;
    private final String name;
    private final AtomicReference<OwnedFd> unclaimed;
    private final Runnable onResolved;
    private volatile String unavailable;

    /**
     * @param onResolved called (on any thread) once the read end was taken or released
     */
    ChildOutput(EventLoop loop, OwnedFd readEnd, String name, Runnable onResolved) {
        this.loop = loop;
        this.onResolved = onResolved;
        this.name = name;
        this.unclaimed = new AtomicReference<>(readEnd);
        this.unavailable = "the " + name + " is already read by another subscriber; its bytes can be consumed"
                + " once: subscribe once, or share the stream downstream";
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        OwnedFd fd = unclaimed.getAndSet(null);
        if (fd == null) {
            subscriber.onSubscribe(NoSubscription.INSTANCE);
            subscriber.onError(new IllegalStateException(unavailable));
            return;
        }
        PipeSource.publisher(loop, fd, name).subscribe(subscriber);
        onResolved.run();
    }

    /** Whether a subscriber has taken the pipe (or it was released). */
    boolean claimed() {
        return unclaimed.get() == null;
    }

    /**
     * Closes the read end if nobody took it; the child then gets {@code SIGPIPE}/{@code EPIPE} on
     * a later write. Idempotent, any thread.
     *
     * @param why completes "the stdout of pid N was ..." in the error of a later subscriber
     */
    void releaseUnread(String why) {
        OwnedFd fd = unclaimed.get();
        if (fd == null) {
            return;
        }
        String before = unavailable;
        unavailable = "the " + name + " was " + why + "; subscribe to it before the exit, or use"
                + " Redirect.DISCARD / writeTo when the output is not wanted";
        OwnedFd taken = unclaimed.getAndSet(null);
        if (taken != null) {
            taken.close();
            onResolved.run();
        } else {
            unavailable = before;
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
