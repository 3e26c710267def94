package io.aem.spring.sources;

import io.aem.reactor.Aem;
import java.time.Duration;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * A declared periodic timer ({@code aem.sources.timer.<name>.*}) on a loop's timer wheel: no fd
 * per subscriber, a resolution of one wheel tick, {@code CLOCK_MONOTONIC}; see
 * {@link Aem#wheelInterval(Duration, Duration)}. Ticks missed while there is no demand coalesce
 * into the next tick's expirations.
 */
public class TimerSourceProperties extends AemSourceProperties {

    /**
     * Time between two ticks. Required.
     */
    private @Nullable Duration period;

    /**
     * Time from the subscription to the first tick. Unset means one period.
     */
    private @Nullable Duration initialDelay;

    @Override
    public AemSourceFamily family() {
        return AemSourceFamily.TIMER;
    }

    public @Nullable Duration getPeriod() {
        return this.period;
    }

    public void setPeriod(@Nullable Duration period) {
        this.period = period;
    }

    public @Nullable Duration getInitialDelay() {
        return this.initialDelay;
    }

    public void setInitialDelay(@Nullable Duration initialDelay) {
        this.initialDelay = initialDelay;
    }

    @Override
    Function<Aem, Flux<?>> compile(String prefix) {
        Duration every = this.period;
        if (every == null || every.isNegative() || every.isZero()) {
            throw invalid(prefix, "period", every, "A timer needs a positive period, for example 5s or 250ms.");
        }
        Duration first = this.initialDelay != null ? this.initialDelay : every;
        if (first.isNegative()) {
            throw invalid(prefix, "initial-delay", first, "The initial delay must not be negative; 0 ticks at once.");
        }
        return aem -> aem.wheelInterval(first, every);
    }
}
