package io.aem.spring.actuate;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of AEM's Micrometer meters, under {@code aem.metrics}.
 */
@ConfigurationProperties("aem.metrics")
public class AemMetricsProperties {

    /**
     * How often the per-source meters are brought up to date with the live streams: meters of
     * new sources are registered, meters of sources with no live stream left are removed.
     */
    private Duration refreshInterval = Duration.ofSeconds(5);

    /**
     * How often each event loop is probed for its lag: a task handed to the loop records the
     * time until it runs.
     */
    private Duration lagProbeInterval = Duration.ofSeconds(1);

    /** The interval between two refreshes of the per-source meters. */
    public Duration getRefreshInterval() {
        return refreshInterval;
    }

    /**
     * Sets the interval between two refreshes of the per-source meters.
     *
     * @param refreshInterval a positive duration
     */
    public void setRefreshInterval(Duration refreshInterval) {
        this.refreshInterval = refreshInterval;
    }

    /** The interval between two lag probes of each loop. */
    public Duration getLagProbeInterval() {
        return lagProbeInterval;
    }

    /**
     * Sets the interval between two lag probes of each loop.
     *
     * @param lagProbeInterval a positive duration
     */
    public void setLagProbeInterval(Duration lagProbeInterval) {
        this.lagProbeInterval = lagProbeInterval;
    }
}
