package io.aem.spring.listener;

import java.util.Locale;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Where annotated handler methods run.
 */
public enum AemHandlerScheduler {
    /**
     * On the event loop thread that delivers the event, with no thread hop: the lowest latency,
     * but a handler that blocks stalls every stream of its loop. Only for handlers that never
     * block.
     */
    LOOP,
    /** Reactor's bounded-elastic scheduler: for handlers that block (files, JDBC, HTTP clients). The default. */
    BOUNDED_ELASTIC,
    /** Reactor's parallel scheduler, one thread per CPU: for CPU-bound handlers that do not block. */
    PARALLEL;

    /**
     * The Reactor scheduler handlers run on, or {@code null} for {@link #LOOP}: every source
     * delivers on a loop thread, so loop handlers stay on it with no hop.
     *
     * @return the scheduler, or {@code null}
     */
    @Nullable Scheduler scheduler() {
        return switch (this) {
            case LOOP -> null;
            case BOUNDED_ELASTIC -> Schedulers.boundedElastic();
            case PARALLEL -> Schedulers.parallel();
        };
    }

    /**
     * Parses an annotation attribute: {@code loop}, {@code bounded-elastic} or {@code parallel},
     * in any case, with {@code -} or {@code _}.
     *
     * @param value the attribute value
     * @return the scheduler
     * @throws IllegalArgumentException naming the accepted values
     */
    static AemHandlerScheduler parse(String value) {
        String normalized = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (AemHandlerScheduler s : values()) {
            if (s.name().equals(normalized)) {
                return s;
            }
        }
        throw new IllegalArgumentException("Unknown handler scheduler '" + value
                + "'; use loop, bounded-elastic or parallel.");
    }
}
