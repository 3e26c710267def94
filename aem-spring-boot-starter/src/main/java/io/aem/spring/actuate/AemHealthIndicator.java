package io.aem.spring.actuate;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.loop.StreamStats;
import io.aem.reactor.Aem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The health of an {@link Aem}: UP while every event loop is alive (not closed, its thread
 * running) and no kernel limit is used beyond the configured fraction, DOWN otherwise (as Spring
 * Boot's disk space indicator goes DOWN below its threshold).
 *
 * <p>Details:
 * <ul>
 * <li>{@code loops}: per loop its {@code name}, {@code alive} and {@code registrations} (the
 * live fds of the loop, asked of the loop thread; {@code null} when the loop did not answer
 * within the {@linkplain #AemHealthIndicator(Aem, double, Duration) answer timeout});</li>
 * <li>{@code fds}, {@code inotifyWatches}, {@code fanotifyMarks}: {@code used} by this process
 * and {@code limit} ({@code RLIMIT_NOFILE}, {@code fs.inotify.max_user_watches},
 * {@code fs.fanotify.max_user_marks}; absent when unlimited or unknown);</li>
 * <li>{@code lost}: events lost so far by the live streams of all loops
 * ({@link StreamStats#lost()});</li>
 * <li>{@code limitWarningRatio}, and {@code limitsExceeded}: the names of the limits used beyond
 * it, when any.</li>
 * </ul>
 *
 * <p>Runs on the caller's thread: it reads {@code /proc} there (about a microsecond per open fd)
 * and hands each loop one short task that reads its registration count, so a loop is never
 * blocked by the check. Thread-safe.
 */
public class AemHealthIndicator extends AbstractHealthIndicator {

    /** How long {@link #health()} waits for a loop to report its registrations by default. */
    public static final Duration DEFAULT_ANSWER_TIMEOUT = Duration.ofSeconds(1);

    private final Aem aem;
    private final double limitWarningRatio;
    private final Duration answerTimeout;

    /**
     * Creates the indicator with the {@linkplain #DEFAULT_ANSWER_TIMEOUT default answer timeout}.
     *
     * @param aem               the entry point whose loops are checked
     * @param limitWarningRatio the fraction of a limit above which the health is DOWN, {@code 0 < ratio <= 1}
     * @throws IllegalArgumentException if the ratio is out of range
     */
    public AemHealthIndicator(Aem aem, double limitWarningRatio) {
        this(aem, limitWarningRatio, DEFAULT_ANSWER_TIMEOUT);
    }

    /**
     * Creates the indicator.
     *
     * @param aem               the entry point whose loops are checked
     * @param limitWarningRatio the fraction of a limit above which the health is DOWN, {@code 0 < ratio <= 1}
     * @param answerTimeout     how long a check waits, at most, for all loops together to
     *                          report their registration counts
     * @throws IllegalArgumentException if the ratio is out of range or the timeout not positive
     */
    public AemHealthIndicator(Aem aem, double limitWarningRatio, Duration answerTimeout) {
        super("AEM health check failed");
        this.aem = Objects.requireNonNull(aem, "aem");
        if (!(limitWarningRatio > 0 && limitWarningRatio <= 1)) {
            throw new IllegalArgumentException("limitWarningRatio must be > 0 and <= 1, was " + limitWarningRatio);
        }
        if (answerTimeout.isNegative() || answerTimeout.isZero()) {
            throw new IllegalArgumentException("answerTimeout must be positive, was " + answerTimeout);
        }
        this.limitWarningRatio = limitWarningRatio;
        this.answerTimeout = answerTimeout;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) throws Exception {
        List<EventLoop> loops = aem.loops();
        List<CompletableFuture<Integer>> registrations = new ArrayList<>(loops.size());
        for (EventLoop loop : loops) {
            registrations.add(askRegistrations(loop));
        }
        KernelResources resources = KernelResources.read();

        boolean allAlive = true;
        long lost = 0;
        long deadline = System.nanoTime() + answerTimeout.toNanos();
        List<Map<String, @Nullable Object>> loopDetails = new ArrayList<>(loops.size());
        for (int i = 0; i < loops.size(); i++) {
            EventLoop loop = loops.get(i);
            boolean alive = !loop.isClosed() && loop.thread().isAlive();
            allAlive &= alive;
            Map<String, @Nullable Object> detail = new LinkedHashMap<>();
            detail.put("name", loop.name());
            detail.put("alive", alive);
            detail.put("registrations", alive ? await(registrations.get(i), deadline) : null);
            loopDetails.add(detail);
            for (StreamStats stream : loop.streams()) {
                lost += stream.lost();
            }
        }

        List<String> exceeded = new ArrayList<>();
        builder.withDetail("loops", loopDetails);
        builder.withDetail("fds", usage("fds", resources.openFds(), resources.openFdsLimit(), exceeded));
        builder.withDetail("inotifyWatches", usage("inotifyWatches", resources.inotifyWatches(),
                resources.inotifyWatchesLimit(), exceeded));
        builder.withDetail("fanotifyMarks", usage("fanotifyMarks", resources.fanotifyMarks(),
                resources.fanotifyMarksLimit(), exceeded));
        builder.withDetail("lost", lost);
        builder.withDetail("limitWarningRatio", limitWarningRatio);
        if (!exceeded.isEmpty()) {
            builder.withDetail("limitsExceeded", exceeded);
        }
        if (allAlive && exceeded.isEmpty()) {
            builder.up();
        } else {
            builder.down();
        }
    }

    private static CompletableFuture<Integer> askRegistrations(EventLoop loop) {
        CompletableFuture<Integer> answer = new CompletableFuture<>();
        try {
            loop.execute(() -> answer.complete(loop.registrationCount()));
        } catch (EventLoopClosedException e) {
            answer.completeExceptionally(e);
        }
        return answer;
    }

    private static @Nullable Integer await(CompletableFuture<Integer> answer, long deadline)
            throws InterruptedException {
        try {
            return answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }

    private Map<String, Object> usage(String name, long used, long limit, List<String> exceeded) {
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("used", used);
        if (limit > 0) {
            usage.put("limit", limit);
            if (used > limit * limitWarningRatio) {
                exceeded.add(name);
            }
        }
        return usage;
    }
}
