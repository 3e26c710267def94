package io.aem.linux.proc;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.source.Demand;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One subscriber's {@link Jobs} stream: the subscriber of the upstream events and the
 * subscription of the downstream exits in one object. Every state change runs on the loop
 * thread (signals from other threads are handed over with {@link EventLoop#execute}); only the
 * downstream demand and the cancel flag are touched from other threads.
 */
final class JobsSubscription<T> implements Flow.Subscriber<T>, Flow.Subscription {
    static final int MAX_CONCURRENCY = 4096;
    private static final System.Logger LOG = System.getLogger(Jobs.class.getName());

    private final EventLoop loop;
    private final Function<? super T, ProcessSpec> command;
    private final int concurrency;
    private final Flow.Subscriber<? super JobExit<T>> downstream;
    private final AtomicLong requested = new AtomicLong();
    private final AtomicBoolean terminated = new AtomicBoolean();
    private volatile boolean cancelled;

    // Loop thread only.
    private Flow.Subscription upstream;
    private long upstreamOutstanding;
    private boolean upstreamDone;
    private final Map<ChildProcess, JobExitSubscriber> running = new HashMap<>();
    private final ArrayDeque<JobExit<T>> finished = new ArrayDeque<>();
    private boolean draining;
    private boolean drainAgain;

    JobsSubscription(EventLoop loop, Function<? super T, ProcessSpec> command, int concurrency,
            Flow.Subscriber<? super JobExit<T>> downstream) {
        this.loop = loop;
        this.command = command;
        this.concurrency = concurrency;
        this.downstream = downstream;
    }

    // ---- upstream: the events ----

    @Override
    public void onSubscribe(Flow.Subscription s) {
        onLoop(() -> {
            if (upstream != null || terminated.get()) {
                s.cancel();
                return;
            }
            upstream = s;
            drain();
        }, s);
    }

    @Override
    public void onNext(T event) {
        onLoop(() -> start(event), null);
    }

    @Override
    public void onError(Throwable t) {
        onLoop(() -> {
            upstreamDone = true;
            fail(t);
        }, null);
    }

    @Override
    public void onComplete() {
        onLoop(() -> {
            upstreamDone = true;
            drain();
        }, null);
    }

    // ---- downstream: the exits ----

    @Override
    public void request(long n) {
        if (n <= 0) {
            onLoop(() -> fail(new IllegalArgumentException(
                    "request(" + n + "): a subscriber must request at least 1 (Reactive Streams rule 3.9)")), null);
            return;
        }
        Demand.add(requested, n);
        onLoop(this::drain, null);
    }

    @Override
    public void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        onLoop(this::stopAll, null);
    }

    // ---- loop thread ----

    private void start(T event) {
        if (terminated.get() || cancelled) {
            return;
        }
        if (upstreamOutstanding == 0) {
            fail(new IllegalStateException("the upstream publisher sent an event it was not asked for (Reactive Streams "
                    + "rule 1.1); Jobs asks only for as many events as it has free slots"));
            return;
        }
        upstreamOutstanding--;
        ProcessSpec spec;
        ChildProcess child;
        try {
            spec = command.apply(event);
            if (spec == null) {
                throw new NullPointerException("the command function returned null for event " + event);
            }
            child = ChildProcess.start(loop, withoutPipes(spec));
        } catch (Throwable t) {
            fail(t);
            return;
        }
        JobExitSubscriber exitSubscriber = new JobExitSubscriber(event, child);
        running.put(child, exitSubscriber);
        child.exit().subscribe(exitSubscriber);
    }

    private void jobEnded(T event, ChildProcess child, ProcessExit exit) {
        if (running.remove(child) == null) {
            return;
        }
        if (terminated.get()) {
            return;
        }
        finished.add(new JobExit<>(event, exit));
        drain();
    }

    private void drain() {
        if (draining) {
            drainAgain = true;
            return;
        }
        draining = true;
        try {
            do {
                drainAgain = false;
                if (terminated.get()) {
                    return;
                }
                while (!finished.isEmpty() && requested.get() > 0 && !cancelled) {
                    JobExit<T> next = finished.poll();
                    if (requested.get() != Long.MAX_VALUE) {
                        requested.decrementAndGet();
                    }
                    try {
                        downstream.onNext(next);
                    } catch (Throwable t) {
                        LOG.log(System.Logger.Level.WARNING, "a Jobs subscriber threw from onNext; the stream is cancelled", t);
                        cancelled = true;
                        stopAll();
                        return;
                    }
                }
                if (cancelled) {
                    stopAll();
                    return;
                }
                if (upstreamDone && running.isEmpty() && finished.isEmpty()) {
                    if (terminated.compareAndSet(false, true)) {
                        downstream.onComplete();
                    }
                    return;
                }
                long free = concurrency - running.size() - finished.size() - upstreamOutstanding;
                if (free > 0 && !upstreamDone && upstream != null) {
                    upstreamOutstanding += free;
                    upstream.request(free);
                }
            } while (drainAgain);
        } finally {
            draining = false;
        }
    }

    private void fail(Throwable t) {
        if (!terminated.compareAndSet(false, true)) {
            return;
        }
        release();
        downstream.onError(t);
    }

    private void stopAll() {
        if (!terminated.compareAndSet(false, true)) {
            return;
        }
        release();
    }

    /** Cancels upstream, ends the running jobs by their cancel policy, drops undelivered exits. */
    private void release() {
        if (upstream != null && !upstreamDone) {
            upstream.cancel();
        }
        upstreamDone = true;
        for (JobExitSubscriber job : new ArrayList<>(running.values())) {
            job.cancel();
        }
        running.clear();
        finished.clear();
    }

    /**
     * Runs {@code action} on the loop thread: at once when called there, else handed over. When
     * the loop is closed, ends the stream with its error (and cancels {@code orphan}, an upstream
     * subscription that could not be handed over).
     */
    private void onLoop(Runnable action, Flow.Subscription orphan) {
        if (loop.inEventLoop()) {
            action.run();
            return;
        }
        try {
            loop.execute(action);
        } catch (RejectedExecutionException e) {
            if (orphan != null) {
                orphan.cancel();
            }
            if (terminated.compareAndSet(false, true)) {
                downstream.onError(e);
            }
        }
    }

    private static ProcessSpec withoutPipes(ProcessSpec spec) {
        ProcessSpec s = spec;
        if (s.stdin() == Redirect.PIPE) {
            s = s.withStdin(Redirect.DISCARD);
        }
        if (s.stdout() == Redirect.PIPE) {
            s = s.withStdout(Redirect.DISCARD);
        }
        if (s.stderr() == Redirect.PIPE) {
            s = s.withStderr(Redirect.DISCARD);
        }
        return s;
    }

    /** Receives one job's exit and hands it to the loop-thread state. */
    private final class JobExitSubscriber implements Flow.Subscriber<ProcessExit> {
        private final T event;
        private final ChildProcess child;
        private volatile Flow.Subscription subscription;
        private volatile boolean cancelRequested;

        JobExitSubscriber(T event, ChildProcess child) {
            this.event = event;
            this.child = child;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (cancelRequested) {
                s.cancel();
            } else {
                s.request(1);
            }
        }

        @Override
        public void onNext(ProcessExit exit) {
            onLoop(() -> jobEnded(event, child, exit), null);
        }

        @Override
        public void onError(Throwable t) {
            onLoop(() -> {
                running.remove(child);
                fail(t);
            }, null);
        }

        @Override
        public void onComplete() {
        }

        /** Ends the job by its spec's cancel policy, which cancelling its exit subscription applies. */
        void cancel() {
            cancelRequested = true;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }
    }
}
