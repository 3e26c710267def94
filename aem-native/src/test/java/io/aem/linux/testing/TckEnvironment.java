package io.aem.linux.testing;

import org.reactivestreams.tck.TestEnvironment;

/**
 * The Reactive Streams TCK settings shared by every publisher verification of the project.
 *
 * <p>The TCK's defaults (100 ms for every expectation) are tuned for a quiet machine; CI and
 * developer machines run builds side by side, and a signal that arrives late fails a test
 * without saying anything about the publisher. A longer wait for expected signals costs nothing
 * when the publisher is right. The no-signals window is the time each {@code expectNone} waits
 * in full, so it is what the run time of a verification class is made of.
 */
public final class TckEnvironment {
    /** How long the TCK waits for a signal it expects. */
    public static final long DEFAULT_TIMEOUT_MILLIS = 500;
    /** How long the TCK watches for a signal that must not come. */
    public static final long NO_SIGNALS_TIMEOUT_MILLIS = 200;
    /**
     * How often the TCK polls while it waits, and how long its optional rule 3.9 test waits for
     * the error of a negative request: a stream's first signal can take more than 20 ms on a
     * loaded machine, and an error that arrives after that test gave up is then reported against
     * the next test.
     */
    public static final long POLL_TIMEOUT_MILLIS = 100;
    /** How long rule 3.13 waits after cancel before it looks for the subscriber's reference being dropped. */
    public static final long PUBLISHER_REFERENCE_GC_TIMEOUT_MILLIS = 300;

    private TckEnvironment() {
    }

    /** A fresh environment with these settings. */
    public static TestEnvironment create() {
        return new TestEnvironment(DEFAULT_TIMEOUT_MILLIS, NO_SIGNALS_TIMEOUT_MILLIS, POLL_TIMEOUT_MILLIS);
    }
}
