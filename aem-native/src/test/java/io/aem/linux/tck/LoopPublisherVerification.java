package io.aem.linux.tck;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.OpenFds;
import io.aem.linux.testing.TckEnvironment;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

/**
 * The TCK's {@code FlowPublisherVerification} with what every source's verification needs: a
 * running loop, a loop already closed (for the failed publisher: {@code onSubscribe}, then
 * {@code onError(EventLoopClosedException)}), the project's TCK timeouts, and the check that
 * every fd opened by the class is closed after it.
 *
 * @param <T> the element type
 */
abstract class LoopPublisherVerification<T> extends FlowPublisherVerification<T> {
    private Map<Integer, String> fdsBefore;
    /** The running loop the publishers under test serve on. */
    protected EventLoop loop;
    /** A loop closed before any test: its publishers fail. */
    protected EventLoop closedLoop;

    LoopPublisherVerification() {
        this(TckEnvironment.create());
    }

    /** With an environment of the verification's own, for a source whose open takes longer than the default poll timeout allows. */
    LoopPublisherVerification(org.reactivestreams.tck.TestEnvironment env) {
        super(env, TckEnvironment.PUBLISHER_REFERENCE_GC_TIMEOUT_MILLIS);
    }

    @BeforeClass
    public void openLoops() throws IOException {
        fdsBefore = OpenFds.snapshot();
        loop = EventLoop.open("tck-" + getClass().getSimpleName());
        closedLoop = EventLoop.open("tck-closed");
        closedLoop.close();
    }

    @AfterClass(alwaysRun = true)
    public void closeLoopsAndCheckFds() {
        if (loop != null) {
            loop.close();
        }
        releaseSources();
        OpenFds.awaitClosedSince(fdsBefore, getClass().getSimpleName(), Duration.ofSeconds(10));
    }

    /** Releases sources no subscription took, after the loop closed; nothing by default. */
    protected void releaseSources() {
    }
}
