package io.aem.demo;

import java.util.List;
import java.util.Map;

/**
 * What the dashboard's charts and tables show, sent once a second on {@code GET /events} as the
 * SSE event {@code stats}.
 *
 * @param time            when it was taken, ISO-8601 in UTC
 * @param counts          events published so far per family
 * @param rates           events per second per family, one value a second over the last 60 s,
 *                        oldest first (see {@link RateHistory})
 * @param lagHistory      each loop's lag in microseconds, one value a second over the last 60 s,
 *                        oldest first
 * @param streams         the live streams of every loop with their counters
 * @param loops           the loops' lag, measured by {@link LoopLagProbe}
 * @param clientDelivered events sent to this browser so far
 * @param clientDropped   events dropped for this browser so far because it read too slowly
 * @param clientBuffer    the most events buffered for this browser before the oldest are dropped
 */
public record DashboardStats(String time, Map<String, Long> counts, Map<String, List<Double>> rates,
        Map<String, List<Long>> lagHistory, List<Stream> streams, List<LoopLagProbe.Lag> loops, long clientDelivered,
        long clientDropped, int clientBuffer) {

    /**
     * The counters of one live stream, see {@link io.aem.linux.loop.StreamStats}.
     *
     * @param loop          the loop's name
     * @param source        the source's description
     * @param delivered     events passed to the subscriber
     * @param lost          events the kernel or the source reported lost
     * @param stalledMillis milliseconds during which data waited for demand
     * @param stalled       whether data waits for demand now
     */
    public record Stream(String loop, String source, long delivered, long lost, long stalledMillis, boolean stalled) {
    }
}
