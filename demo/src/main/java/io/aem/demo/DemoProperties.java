package io.aem.demo;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of the demo.
 */
@ConfigurationProperties("aem.demo")
public class DemoProperties {

    /**
     * How long the demo runs before it shuts down by itself. When unset it runs until stopped.
     */
    private @Nullable Duration runFor;

    /**
     * Period of the kernel timer (timerfd on CLOCK_MONOTONIC).
     */
    private Duration timerPeriod = Duration.ofSeconds(1);

    /**
     * Period of the scheduled task that signals the user events (eventfd).
     */
    private Duration signalPeriod = Duration.ofMillis(500);

    /**
     * Period of the log of the event loops' stream counters.
     */
    private Duration statsPeriod = Duration.ofSeconds(5);

    public @Nullable Duration getRunFor() {
        return this.runFor;
    }

    public void setRunFor(@Nullable Duration runFor) {
        this.runFor = runFor;
    }

    public Duration getTimerPeriod() {
        return this.timerPeriod;
    }

    public void setTimerPeriod(Duration timerPeriod) {
        this.timerPeriod = timerPeriod;
    }

    public Duration getSignalPeriod() {
        return this.signalPeriod;
    }

    public void setSignalPeriod(Duration signalPeriod) {
        this.signalPeriod = signalPeriod;
    }

    public Duration getStatsPeriod() {
        return this.statsPeriod;
    }

    public void setStatsPeriod(Duration statsPeriod) {
        this.statsPeriod = statsPeriod;
    }
}
