package io.aem.linux.tck;

import io.aem.linux.proc.JobExit;
import io.aem.linux.proc.Jobs;
import io.aem.linux.proc.ProcessSpec;
import io.aem.linux.testing.TckEnvironment;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.TestEnvironment;

/**
 * Reactive Streams TCK for the {@link Jobs} operator's publisher: {@code elements} upstream
 * events, each starting one {@code /bin/true}, at most four at a time, so the stream has exactly
 * {@code elements} exits and then completes. The failed publisher runs its jobs on a closed loop.
 */
public class JobsPublisherTckTest extends LoopPublisherVerification<JobExit<Long>> {
    private static final ProcessSpec TRUE = ProcessSpec.of("/bin/true");

    /**
     * Every element is a process start, which can take tens of milliseconds on a loaded machine
     * (a spawn waits for the child's exec, and the loop may be serving a spawn when the request
     * arrives): the TCK waits up to 5 s for expected signals and polls for 1 s.
     */
    public JobsPublisherTckTest() {
        super(new TestEnvironment(5000, TckEnvironment.NO_SIGNALS_TIMEOUT_MILLIS, 1000));
    }

    @Override
    public Flow.Publisher<JobExit<Long>> createFlowPublisher(long elements) {
        return Jobs.run(loop, new Range(elements), n -> TRUE, 4);
    }

    @Override
    public Flow.Publisher<JobExit<Long>> createFailedFlowPublisher() {
        return Jobs.run(closedLoop, new Range(1), n -> TRUE, 4);
    }

    /** Each job is a process: keep the streams short. */
    @Override
    public long maxElementsFromPublisher() {
        return 64;
    }

    /** The events 0 .. count-1, emitted under demand on the requesting thread, one subscriber each. */
    private static final class Range implements Flow.Publisher<Long> {
        private final long count;

        Range(long count) {
            this.count = count;
        }

        @Override
        public void subscribe(Flow.Subscriber<? super Long> subscriber) {
            subscriber.onSubscribe(new Flow.Subscription() {
                private long next;
                private long demand;
                private boolean emitting;
                private boolean cancelled;

                @Override
                public synchronized void request(long n) {
                    demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                    if (emitting) {
                        return;
                    }
                    emitting = true;
                    while (!cancelled && demand > 0 && next < count) {
                        demand--;
                        subscriber.onNext(next++);
                    }
                    if (!cancelled && next == count) {
                        cancelled = true;
                        subscriber.onComplete();
                    }
                    emitting = false;
                }

                @Override
                public synchronized void cancel() {
                    cancelled = true;
                }
            });
        }
    }
}
