package io.aem.linux.fs;

import io.aem.linux.loop.EventLoop;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * Emits a path's last event once the path has been quiet for a given time: the operator that
 * turns an editor's save (truncate, several writes, close) or an atomic rename-write (write
 * {@code f.tmp}, rename it to {@code f}) into one event per file, on an event loop's timers with
 * no extra thread.
 *
 * <p><b>What it emits.</b> For each path, the last {@link FileEvent} seen for it, once no event
 * for that path arrived during the quiet period. A {@link FileEventKind#RENAME} forgets the old
 * path (a rename-write yields one event, for the new path) and counts as activity on the new one.
 * The markers {@link FileEventKind#OVERFLOW}, {@link FileEventKind#EXISTING} and
 * {@link FileEventKind#LISTING_DONE} pass through at once. When the upstream completes, every
 * path still waiting is emitted at once, then completion; an upstream error is passed on at
 * once and what was waiting is dropped.
 *
 * <p><b>Demand.</b> Memory is bounded by the number of distinct paths waiting, not by the number
 * of events: the operator requests from upstream only while fewer than {@code maxPaths} paths
 * wait (in the quiet period or for downstream demand). With no downstream demand it stops
 * requesting once that many are ready, and the upstream source stops reading the kernel.
 *
 * <p><b>Threading.</b> Every signal, the per-path state and the timers live on the given loop:
 * signals arriving on other threads are handed over with {@link EventLoop#execute}; downstream
 * signals are delivered on the loop thread. Costs: one map entry and one loop timeout per
 * waiting path; a path that keeps changing re-arms its timeout at most once per quiet period.
 */
public final class QuietPeriod implements Flow.Publisher<FileEvent> {
    private final Flow.Publisher<FileEvent> upstream;
    private final EventLoop loop;
    private final long quietNanos;
    private final int maxPaths;

    /**
     * Creates the operator; nothing happens until a subscriber arrives.
     *
     * @param upstream the file events, for example an inotify watch's publisher
     * @param loop     the loop whose thread and timers the operator uses
     * @param quiet    how long a path must see no event, positive
     * @param maxPaths how many paths may wait at most before upstream demand stops, at least 1
     * @throws IllegalArgumentException if {@code quiet} is not positive or {@code maxPaths} below 1
     */
    public QuietPeriod(Flow.Publisher<FileEvent> upstream, EventLoop loop, Duration quiet, int maxPaths) {
        this.upstream = Objects.requireNonNull(upstream, "upstream");
        this.loop = Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(quiet, "quiet");
        if (quiet.isZero() || quiet.isNegative()) {
            throw new IllegalArgumentException("quiet period must be positive, was " + quiet
                    + "; use for example Duration.ofMillis(200) for editors' save patterns");
        }
        if (maxPaths < 1) {
            throw new IllegalArgumentException("maxPaths must be at least 1, was " + maxPaths);
        }
        this.quietNanos = quiet.toNanos();
        this.maxPaths = maxPaths;
    }

    /**
     * Subscribes: the operator subscribes to the upstream once per subscriber.
     *
     * @param subscriber the subscriber, not {@code null}
     */
    @Override
    public void subscribe(Flow.Subscriber<? super FileEvent> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber (rule 1.9)");
        QuietPeriodSubscription s = new QuietPeriodSubscription(subscriber, loop, quietNanos, maxPaths);
        subscriber.onSubscribe(s);
        upstream.subscribe(s);
    }
}
