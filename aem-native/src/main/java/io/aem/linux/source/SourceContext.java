package io.aem.linux.source;

import io.aem.linux.loop.EventLoop;
import java.util.Optional;

/**
 * What an {@link EventSource} sees of the subscription it serves.
 */
public interface SourceContext {
    /** The loop the subscription runs on. */
    EventLoop loop();

    /**
     * A value of the subscriber's context: Reactor's {@code ContextView} for a {@code Flux}
     * subscriber, nothing for a plain {@code Flow.Subscriber}.
     *
     * @param key the key
     * @return the value, if the subscriber's context has it
     */
    Optional<Object> subscriberContext(Object key);

    /**
     * Records events that the kernel (or the source) lost: they count in
     * {@code StreamStats.lost()}. The source still decides what the subscriber sees: an explicit
     * loss event, a rescan, or an {@link EventsLostException}. Loop thread only.
     *
     * @param count how many were lost, at least 1 (use 1 when the kernel gives no count)
     */
    void reportLoss(long count);

    /**
     * Ends the stream once the events already in the batch buffer are delivered: the subscriber
     * then receives {@code onComplete} without needing more demand (a one-shot timer after its
     * tick). Loop thread only: call it from {@link EventSource#decode} or {@link EventSource#read}.
     */
    void completeAfterBatch();

    /**
     * Asks the loop to attempt a read for this subscription even without readiness, for
     * example after the source learned that its stream should end: if the subscriber has no
     * demand, one read into the empty batch buffer may still happen, so that an end of stream is
     * signalled without demand while data read is held for the next request. Any thread; does
     * nothing once the stream has ended or the loop is closed.
     */
    void readAgain();

    /**
     * The subscriber's outstanding demand now: {@code 0} when it has none or the stream has
     * ended, {@code Long.MAX_VALUE} for unbounded. Any thread; one volatile read. For sources
     * whose kernel object must be served even without demand (permission requests, which hold
     * another process) and need to know who reads it.
     */
    long demand();
}
