package io.aem.linux.tck;

import io.aem.linux.event.KernelTimer;
import io.aem.linux.event.TimerSpec;
import io.aem.linux.event.TimerTick;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.source.SourcePublisher;
import io.aem.linux.testing.OpenFds;
import io.aem.linux.testing.TckEnvironment;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

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
public class KernelTimerPublisherTckTest extends FlowPublisherVerification<TimerTick> {
    private static final TimerSpec EVERY_MILLISECOND = TimerSpec.every(Duration.ofMillis(1));

    private Map<Integer, String> fdsBefore;
    private EventLoop loop;
    private EventLoop closedLoop;

    public KernelTimerPublisherTckTest() {
        super(TckEnvironment.create(), TckEnvironment.PUBLISHER_REFERENCE_GC_TIMEOUT_MILLIS);
    }

    @BeforeClass
    public void openLoops() throws IOException {
        fdsBefore = OpenFds.snapshot();
        loop = EventLoop.open("tck-timer");
        closedLoop = EventLoop.open("tck-timer-closed");
        closedLoop.close();
    }

    @AfterClass(alwaysRun = true)
    public void closeLoopsAndCheckFds() {
        if (loop != null) {
            loop.close();
        }
        OpenFds.awaitClosedSince(fdsBefore, getClass().getSimpleName(), Duration.ofSeconds(10));
    }

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
