package io.aem.demo;

import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of the demo, under {@code demo.*}. Every property has a default, so
 * the demo starts with no set-up. Bound once at start-up; read from any thread afterwards.
 */
@ConfigurationProperties("demo")
public class DemoProperties {

    /**
     * HTTP port of the dashboard (WebFlux); 0 picks a free port. Mapped onto {@code server.port}.
     */
    private int port = 8080;

    /**
     * Folder the demo creates and watches (inotify), and that AEMhttpd serves. When unset,
     * {@code aem-demo-inbox} under {@code java.io.tmpdir}.
     */
    private @Nullable Path inbox;

    /**
     * How long the demo runs before it shuts down by itself. When unset it runs until stopped.
     */
    private @Nullable Duration runFor;

    /**
     * Period of the kernel timer (timerfd on CLOCK_MONOTONIC).
     */
    private Duration timerPeriod = Duration.ofSeconds(1);

    /**
     * Period of the timer on the loop's timer wheel (no fd of its own).
     */
    private Duration wheelPeriod = Duration.ofMillis(250);

    /**
     * Period of the scheduled task that signals the user events (eventfd).
     */
    private Duration signalPeriod = Duration.ofMillis(500);

    /**
     * Period of the demo jobs started by a timer; they alternate between one that exits with code 3
     * and one that faults (SIGSEGV). Zero or negative starts none.
     */
    private Duration jobPeriod = Duration.ofSeconds(10);

    /**
     * Period of the loop-lag probe: a task timestamped and handed to every loop with
     * {@code execute}, its delay measured when it runs.
     */
    private Duration lagProbePeriod = Duration.ofSeconds(1);

    /**
     * Period of the log of the event loops' stream counters.
     */
    private Duration statsPeriod = Duration.ofSeconds(5);

    /**
     * Events of the dashboard's stream buffered per browser before the oldest are dropped (and
     * counted) for a browser that reads too slowly.
     */
    private int clientBuffer = 256;

    /**
     * AEMhttpd, started on a second port and serving the inbox.
     */
    private final Httpd httpd = new Httpd();

    public int getPort() {
        return this.port;
    }

    public void setPort(int port) {
        this.port = port;
    }

    public @Nullable Path getInbox() {
        return this.inbox;
    }

    public void setInbox(@Nullable Path inbox) {
        this.inbox = inbox;
    }

    /**
     * The inbox to use: {@link #getInbox()} when set, else {@code aem-demo-inbox} under
     * {@code java.io.tmpdir}.
     *
     * @return an absolute path
     */
    public Path inboxOrDefault() {
        Path inbox = this.inbox;
        if (inbox == null) {
            inbox = Path.of(System.getProperty("java.io.tmpdir"), "aem-demo-inbox");
        }
        return inbox.toAbsolutePath();
    }

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

    public Duration getWheelPeriod() {
        return this.wheelPeriod;
    }

    public void setWheelPeriod(Duration wheelPeriod) {
        this.wheelPeriod = wheelPeriod;
    }

    public Duration getSignalPeriod() {
        return this.signalPeriod;
    }

    public void setSignalPeriod(Duration signalPeriod) {
        this.signalPeriod = signalPeriod;
    }

    public Duration getJobPeriod() {
        return this.jobPeriod;
    }

    public void setJobPeriod(Duration jobPeriod) {
        this.jobPeriod = jobPeriod;
    }

    public Duration getLagProbePeriod() {
        return this.lagProbePeriod;
    }

    public void setLagProbePeriod(Duration lagProbePeriod) {
        this.lagProbePeriod = lagProbePeriod;
    }

    public Duration getStatsPeriod() {
        return this.statsPeriod;
    }

    public void setStatsPeriod(Duration statsPeriod) {
        this.statsPeriod = statsPeriod;
    }

    public int getClientBuffer() {
        return this.clientBuffer;
    }

    public void setClientBuffer(int clientBuffer) {
        this.clientBuffer = clientBuffer;
    }

    public Httpd getHttpd() {
        return this.httpd;
    }

    /**
     * AEMhttpd settings.
     */
    public static class Httpd {

        /**
         * Whether to start AEMhttpd next to the dashboard.
         */
        private boolean enabled = true;

        /**
         * Port of AEMhttpd; 0 picks a free port.
         */
        private int port = 8081;

        /**
         * Address AEMhttpd listens on.
         */
        private String host = "127.0.0.1";

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getPort() {
            return this.port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public String getHost() {
            return this.host;
        }

        public void setHost(String host) {
            this.host = host;
        }
    }
}
