package io.aem.reactor.tck;

import io.aem.linux.testing.OpenFds;
import io.aem.linux.testing.TckEnvironment;
import io.aem.reactor.Aem;
import java.time.Duration;
import java.util.Map;
import org.reactivestreams.tck.PublisherVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

/**
 * The TCK's {@code PublisherVerification} with what every {@code Flux} face's verification
 * needs: a running {@link Aem}, one already closed (for the failed publisher: {@code onSubscribe},
 * then {@code onError(EventLoopClosedException)}), the project's TCK timeouts, and the check that
 * every fd opened by the class is closed after it.
 *
 * @param <T> the element type
 */
abstract class AemPublisherVerification<T> extends PublisherVerification<T> {
    private Map<Integer, String> fdsBefore;
    /** The running entry point the fluxes under test serve on. */
    protected Aem aem;
    /** An entry point closed before any test: its fluxes fail. */
    protected Aem closedAem;

    AemPublisherVerification() {
        super(TckEnvironment.create(), TckEnvironment.PUBLISHER_REFERENCE_GC_TIMEOUT_MILLIS);
    }

    @BeforeClass
    public void createAem() {
        fdsBefore = OpenFds.snapshot();
        aem = Aem.create();
        closedAem = Aem.create();
        closedAem.close();
    }

    @AfterClass(alwaysRun = true)
    public void closeAemAndCheckFds() {
        if (aem != null) {
            aem.close();
        }
        releaseSources();
        OpenFds.awaitClosedSince(fdsBefore, getClass().getSimpleName(), Duration.ofSeconds(10));
    }

    /** Releases sources no subscription took, after the loops closed; nothing by default. */
    protected void releaseSources() {
    }
}
