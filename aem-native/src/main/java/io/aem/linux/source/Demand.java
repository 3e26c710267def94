package io.aem.linux.source;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Reactive Streams demand arithmetic shared by the subscriptions of the project: outstanding
 * demand adds up and is capped at {@code Long.MAX_VALUE}, which means unbounded.
 */
public final class Demand {
    private Demand() {
    }

    /**
     * Adds {@code n} to {@code requested}, capped at {@code Long.MAX_VALUE}; lock-free, any thread.
     *
     * @param requested the outstanding demand
     * @param n         the new demand, {@code > 0} (the caller answers {@code n <= 0} with rule 3.9's error)
     * @return the demand before the addition: {@code 0} means the subscription was idle and now
     *         has demand, {@code Long.MAX_VALUE} that it was already unbounded
     */
    public static long add(AtomicLong requested, long n) {
        long prev;
        long next;
        do {
            prev = requested.get();
            if (prev == Long.MAX_VALUE) {
                return prev;
            }
            next = prev + n;
            if (next < 0) {
                next = Long.MAX_VALUE;
            }
        } while (!requested.compareAndSet(prev, next));
        return prev;
    }
}
