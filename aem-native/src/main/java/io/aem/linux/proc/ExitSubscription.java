package io.aem.linux.proc;

import io.aem.linux.loop.EventLoopClosedException;
import java.lang.System.Logger.Level;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One subscriber of {@link ChildProcess#exit()}: one {@link ProcessExit} and {@code onComplete},
 * under the subscriber's demand. {@code request} and {@code cancel} may come from any thread and
 * are handed to the loop; the terminal signal is sent at most once, guarded by {@link #done}.
 */
final class ExitSubscription implements Flow.Subscription {
    private static final System.Logger LOG = System.getLogger(ExitSubscription.class.getName());

    private final ChildProcess child;
    private final Flow.Subscriber<? super ProcessExit> subscriber;
    private final AtomicBoolean done = new AtomicBoolean();
    /** Loop thread only: whether {@code request} has come. */
    boolean demanded;

    ExitSubscription(ChildProcess child, Flow.Subscriber<? super ProcessExit> subscriber) {
        this.child = child;
        this.subscriber = subscriber;
    }

    Flow.Subscriber<? super ProcessExit> subscriber() {
        return subscriber;
    }

    boolean isDone() {
        return done.get();
    }

    @Override
    public void request(long n) {
        if (done.get()) {
            return;
        }
        try {
            child.loop().execute(() -> child.onRequest(this, n));
        } catch (EventLoopClosedException e) {
            // Nobody runs loop tasks any more: answer from here, once.
            if (n <= 0) {
                fail(new IllegalArgumentException("request(" + n + "): demand must be positive (Reactive Streams rule 3.9)"));
            } else if (child.exitNow().isPresent()) {
                deliver(child.exitNow().get());
            } else {
                fail(e);
            }
        }
    }

    @Override
    public void cancel() {
        if (done.compareAndSet(false, true)) {
            try {
                child.loop().execute(() -> child.onCancel(this));
            } catch (EventLoopClosedException e) {
                // The child was killed and reaped when the loop closed.
            }
        }
    }

    /** Sends the exit and completion, once. */
    void deliver(ProcessExit exit) {
        if (!done.compareAndSet(false, true)) {
            return;
        }
        try {
            subscriber.onNext(exit);
            subscriber.onComplete();
        } catch (Throwable t) {
            LOG.log(Level.ERROR, "exit subscriber of pid " + exit.pid() + " threw", t);
        }
    }

    /** Sends the error, once. */
    void fail(Throwable error) {
        if (!done.compareAndSet(false, true)) {
            return;
        }
        try {
            subscriber.onError(error);
        } catch (Throwable t) {
            LOG.log(Level.ERROR, "exit subscriber of pid " + child.pid() + " threw in onError", t);
        }
    }
}
