package io.aem.linux.tck;

import io.aem.linux.KernelException;
import io.aem.linux.event.TimerTick;
import io.aem.linux.timer.LoopTimers;
import io.aem.linux.timer.WheelTimer;
import java.time.Duration;
import java.util.concurrent.Flow;

/**
 * Reactive Streams TCK for the {@link Flow.Publisher} of a periodic {@link WheelTimer}.
 *
 * <p>A periodic timer never completes, so the TCK skips the rules that need {@code onComplete},
 * with its own reason. The period is 1 ms so that requested ticks arrive well within the TCK's
 * timeouts; ticks that come due without demand wait off the wheel and coalesce into one.
 *
 * <p>The failed publisher runs on a wheel that is already closed: {@code onSubscribe} followed by
 * {@code onError(IllegalStateException)}.
 */
public class WheelTimerPublisherTckTest extends LoopPublisherVerification<TimerTick> {
    private LoopTimers timers;
    private LoopTimers closedTimers;

    private synchronized void openWheels() {
        if (timers == null) {
            try {
                timers = LoopTimers.open(loop);
                closedTimers = LoopTimers.open(loop);
            } catch (KernelException e) {
                throw new IllegalStateException(e);
            }
            closedTimers.close();
        }
    }

    @Override
    public Flow.Publisher<TimerTick> createFlowPublisher(long elements) {
        openWheels();
        return WheelTimer.every(timers, Duration.ZERO, Duration.ofMillis(1));
    }

    @Override
    public Flow.Publisher<TimerTick> createFailedFlowPublisher() {
        openWheels();
        return WheelTimer.every(closedTimers, Duration.ZERO, Duration.ofMillis(1));
    }

    @Override
    public long maxElementsFromPublisher() {
        return publisherUnableToSignalOnComplete();
    }
}
