package io.aem.spring.actuate;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of the {@code aem} health contributor, under {@code aem.health}.
 */
@ConfigurationProperties("aem.health")
public class AemHealthProperties {

    /**
     * Fraction of a kernel limit (open files, inotify watches, fanotify marks) above which the
     * health is reported DOWN, between 0 (exclusive) and 1 (inclusive).
     */
    private double limitWarningRatio = 0.9;

    /** The fraction of a limit above which the health is DOWN. */
    public double getLimitWarningRatio() {
        return limitWarningRatio;
    }

    /**
     * Sets the fraction of a limit above which the health is DOWN; checked when the contributor
     * is created.
     *
     * @param limitWarningRatio the fraction, {@code 0 < ratio <= 1}
     */
    public void setLimitWarningRatio(double limitWarningRatio) {
        this.limitWarningRatio = limitWarningRatio;
    }
}
