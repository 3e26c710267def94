package io.aem.spring.listener;

import io.aem.spring.sources.AemSourceFamily;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Counts per handler: events received, invocations completed, errors, invocations in flight,
 * and whether the handler's subscription is active. One entry per annotated method (and per
 * source published as application events), keyed by the handler id. Read it for health and
 * metrics; the counters are updated lock-free from the threads handlers run on, and reading them
 * is cheap and never blocks.
 */
public final class AemHandlerStats {
    private final Map<String, Handler> handlers = new ConcurrentHashMap<>();

    /**
     * Every handler registered so far, in no particular order.
     *
     * @return a snapshot of the list; the counters in it stay live
     */
    public List<Handler> handlers() {
        return List.copyOf(this.handlers.values());
    }

    /**
     * The handler with this id.
     *
     * @param id the handler id ({@code beanName.methodName} unless the annotation gives one)
     * @return the handler, or empty
     */
    public Optional<Handler> handler(String id) {
        return Optional.ofNullable(this.handlers.get(id));
    }

    /**
     * Errors of every handler together.
     *
     * @return the sum of {@link Handler#errors()}
     */
    public long totalErrors() {
        return this.handlers.values().stream().mapToLong(Handler::errors).sum();
    }

    Handler register(String id, String source, AemSourceFamily family) {
        Handler handler = new Handler(id, source, family);
        if (this.handlers.putIfAbsent(id, handler) != null) {
            throw new IllegalStateException("Two AEM handlers have the id '" + id + "'; give one an explicit id.");
        }
        return handler;
    }

    /**
     * The live counters of one handler.
     */
    public static final class Handler {
        private final String id;
        private final String source;
        private final AemSourceFamily family;
        private final AtomicLong received = new AtomicLong();
        private final AtomicLong completed = new AtomicLong();
        private final AtomicLong errors = new AtomicLong();
        private final AtomicLong inFlight = new AtomicLong();
        private final AtomicReference<@Nullable Throwable> lastError = new AtomicReference<>();
        private volatile boolean active;

        Handler(String id, String source, AemSourceFamily family) {
            this.id = id;
            this.source = source;
            this.family = family;
        }

        /** @return the handler id */
        public String id() {
            return this.id;
        }

        /** @return the name of the source the handler reads */
        public String source() {
            return this.source;
        }

        /** @return the family of that source */
        public AemSourceFamily family() {
            return this.family;
        }

        /** @return events handed to the handler */
        public long received() {
            return this.received.get();
        }

        /** @return invocations that completed without error */
        public long completed() {
            return this.completed.get();
        }

        /**
         * Errors: invocations that threw or whose returned publisher failed, and the error that
         * ended the source's stream, if any.
         *
         * @return the count
         */
        public long errors() {
            return this.errors.get();
        }

        /** @return invocations started and not yet finished */
        public long inFlight() {
            return this.inFlight.get();
        }

        /** @return the last error counted, or empty */
        public Optional<Throwable> lastError() {
            return Optional.ofNullable(this.lastError.get());
        }

        /**
         * Whether the handler's subscription is live: true from the lifecycle start until its
         * stream ends (stop, an error that stops it, or a source that completes).
         *
         * @return whether it is active
         */
        public boolean isActive() {
            return this.active;
        }

        void receivedOne() {
            this.received.incrementAndGet();
        }

        void started() {
            this.inFlight.incrementAndGet();
        }

        void finished(boolean success) {
            this.inFlight.decrementAndGet();
            if (success) {
                this.completed.incrementAndGet();
            }
        }

        void error(Throwable error) {
            this.lastError.set(error);
            this.errors.incrementAndGet();
        }

        void active(boolean active) {
            this.active = active;
        }

        @Override
        public String toString() {
            return "Handler[" + this.id + " on " + this.source + ": received " + received() + ", completed "
                    + completed() + ", errors " + errors() + ", in flight " + inFlight() + "]";
        }
    }
}
