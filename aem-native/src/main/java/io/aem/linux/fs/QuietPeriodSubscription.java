package io.aem.linux.fs;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.loop.LoopTimeout;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One subscriber of a {@link QuietPeriod}: the upstream subscriber and the downstream
 * subscription at once. All state is confined to the loop thread.
 */
final class QuietPeriodSubscription implements Flow.Subscriber<FileEvent>, Flow.Subscription {
    /** A path waiting for its quiet period to end. */
    private static final class Waiting {
        FileEvent last;
        long lastNanos;
        LoopTimeout timeout;
    }

    private final Flow.Subscriber<? super FileEvent> downstream;
    private final EventLoop loop;
    private final long quietNanos;
    private final int maxPaths;
    private final AtomicLong requested = new AtomicLong();
    /** Tasks handed to the loop and not yet run: while any is queued, later signals queue behind it to keep their order. */
    private final AtomicInteger queued = new AtomicInteger();

    // Loop thread only.
    private final Map<Path, Waiting> waiting = new HashMap<>();
    private final ArrayDeque<FileEvent> ready = new ArrayDeque<>();
    private Flow.Subscription upstream;
    private long upstreamOutstanding;
    private boolean upstreamDone;
    private boolean terminated;
    private volatile boolean cancelled;

    QuietPeriodSubscription(Flow.Subscriber<? super FileEvent> downstream, EventLoop loop, long quietNanos, int maxPaths) {
        this.downstream = downstream;
        this.loop = loop;
        this.quietNanos = quietNanos;
        this.maxPaths = maxPaths;
    }

    // ---- upstream signals, any thread ----

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        onLoop(() -> {
            if (upstream != null || terminated) {
                subscription.cancel();
                return;
            }
            upstream = subscription;
            refill();
        });
    }

    @Override
    public void onNext(FileEvent event) {
        onLoop(() -> accept(event));
    }

    @Override
    public void onError(Throwable error) {
        onLoop(() -> fail(error));
    }

    @Override
    public void onComplete() {
        onLoop(this::upstreamCompleted);
    }

    // ---- downstream subscription, any thread ----

    @Override
    public void request(long n) {
        if (n <= 0) {
            onLoop(() -> {
                cancelUpstream();
                fail(new IllegalArgumentException("rule 3.9: request(n) needs n > 0, was " + n));
            });
            return;
        }
        requested.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
        onLoop(this::drain);
    }

    @Override
    public void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        onLoop(() -> {
            cancelUpstream();
            clear();
            terminated = true;
        });
    }

    // ---- loop thread ----

    private void onLoop(Runnable task) {
        if (loop.inEventLoop() && queued.get() == 0) {
            task.run();
            return;
        }
        queued.incrementAndGet();
        try {
            loop.execute(() -> {
                queued.decrementAndGet();
                task.run();
            });
        } catch (EventLoopClosedException e) {
            queued.decrementAndGet();
            if (!terminated && !cancelled) {
                terminated = true;
                cancelled = true;
                if (upstream != null) {
                    upstream.cancel();
                }
                downstream.onError(e);
            }
        }
    }

    private void accept(FileEvent event) {
        if (terminated) {
            return;
        }
        upstreamOutstanding--;
        switch (event.kind()) {
            case OVERFLOW, EXISTING, LISTING_DONE -> ready.add(event);
            default -> touch(event);
        }
        drain();
    }

    private void touch(FileEvent event) {
        if (event.kind() == FileEventKind.RENAME) {
            Waiting old = waiting.remove(event.movedFrom());
            if (old != null) {
                old.timeout.cancel();
            }
        }
        long now = System.nanoTime();
        Waiting w = waiting.get(event.path());
        if (w == null) {
            w = new Waiting();
            waiting.put(event.path(), w);
            Waiting armed = w;
            w.timeout = loop.schedule(() -> quietCheck(event.path(), armed), quietNanos, TimeUnit.NANOSECONDS);
        }
        w.last = event;
        w.lastNanos = now;
    }

    /** The timeout of a waiting path ran: emit it if it stayed quiet, or wait for the rest of the period. */
    private void quietCheck(Path path, Waiting w) {
        if (terminated || waiting.get(path) != w) {
            return;
        }
        long left = w.lastNanos + quietNanos - System.nanoTime();
        if (left > 0) {
            w.timeout = loop.schedule(() -> quietCheck(path, w), left, TimeUnit.NANOSECONDS);
            return;
        }
        waiting.remove(path);
        ready.add(w.last);
        drain();
    }

    private void upstreamCompleted() {
        if (terminated) {
            return;
        }
        upstreamDone = true;
        for (Waiting w : waiting.values()) {
            w.timeout.cancel();
            ready.add(w.last);
        }
        waiting.clear();
        drain();
    }

    private void drain() {
        if (terminated) {
            return;
        }
        while (!ready.isEmpty() && !cancelled) {
            long r = requested.get();
            if (r == 0) {
                break;
            }
            if (r != Long.MAX_VALUE) {
                requested.decrementAndGet();
            }
            FileEvent next = ready.poll();
            try {
                downstream.onNext(next);
            } catch (Throwable t) {
                cancelUpstream();
                fail(t);
                return;
            }
        }
        if (cancelled) {
            return;
        }
        if (upstreamDone && ready.isEmpty()) {
            terminated = true;
            downstream.onComplete();
            return;
        }
        refill();
    }

    /** Requests from upstream while fewer than maxPaths paths wait, in batches of at least half of it. */
    private void refill() {
        if (upstream == null || upstreamDone || terminated) {
            return;
        }
        long room = maxPaths - (long) waiting.size() - ready.size() - upstreamOutstanding;
        if (room > 0 && (room >= (maxPaths + 1) / 2 || upstreamOutstanding == 0)) {
            upstreamOutstanding += room;
            upstream.request(room);
        }
    }

    private void fail(Throwable error) {
        if (terminated) {
            return;
        }
        terminated = true;
        clear();
        if (!cancelled) {
            cancelled = true;
            downstream.onError(error);
        }
    }

    private void cancelUpstream() {
        if (upstream != null) {
            upstream.cancel();
        }
    }

    private void clear() {
        for (Waiting w : waiting.values()) {
            w.timeout.cancel();
        }
        waiting.clear();
        ready.clear();
    }
}
