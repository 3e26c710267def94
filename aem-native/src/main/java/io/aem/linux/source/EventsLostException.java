package io.aem.linux.source;

import java.io.IOException;

/**
 * The kernel dropped events and the subscriber chose to fail rather than continue: the stream
 * ends with this error, carrying how many were lost (or {@code -1} when the kernel gives no count).
 */
public class EventsLostException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long lost;

    /**
     * Creates the exception.
     *
     * @param source what lost them
     * @param lost   how many, or {@code -1} if unknown
     * @param remedy how to lose fewer (bigger buffer, faster subscriber, another policy)
     */
    public EventsLostException(String source, long lost, String remedy) {
        super(source + " lost " + (lost < 0 ? "an unknown number of" : Long.toString(lost)) + " events; " + remedy);
        this.lost = lost;
    }

    /** How many events were lost, or {@code -1} if the kernel gives no count. */
    public long lost() {
        return lost;
    }
}
