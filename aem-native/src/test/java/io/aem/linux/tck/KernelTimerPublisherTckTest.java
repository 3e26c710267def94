package io.aem.linux.tck;

import io.aem.linux.event.KernelTimer;
import io.aem.linux.event.TimerSpec;
import io.aem.linux.event.TimerTick;
import io.aem.linux.source.SourcePublisher;
import java.time.Duration;
import java.util.concurrent.Flow;

/**
 * Reactive Streams TCK for the {@link Flow.Publisher} of a periodic {@link KernelTimer}.
 *
 * <p>A periodic timer never completes, so {@link #maxElementsFromPublisher()} says so and the
 * TCK skips the rules that need {@code onComplete}, with its own reason. The period is 1 ms so
 * that requested ticks arrive well within the TCK's timeouts; each subscription arms its own
 * timerfd, and ticks that expire without demand coalesce in the kernel's count.
 *
 * <p>The failed publisher serves on a loop that is already closed: {@code onSubscribe} followed
 * by {@code onError(EventLoopClosedException)}.
 */
public class KernelTimerPublisherTckTest extends LoopPublisherVerification<TimerTick> {
    private static final TimerSpec EVERY_MILLISECOND = TimerSpec.every(Duration.ofMillis(1));

    @Override
    public Flow.Publisher<TimerTick> createFlowPublisher(long elements) {
        return new SourcePublisher<>(loop, new KernelTimer(EVERY_MILLISECOND));
    }

    @Override
    public Flow.Publisher<TimerTick> createFailedFlowPublisher() {
        return new SourcePublisher<>(closedLoop, new KernelTimer(EVERY_MILLISECOND));
    }

    @Override
    public long maxElementsFromPublisher() {
        return publisherUnableToSignalOnComplete();
    }
}
