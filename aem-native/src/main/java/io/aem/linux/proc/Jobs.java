package io.aem.linux.proc;

import io.aem.linux.loop.EventLoop;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.function.Function;

/**
 * Event-created processes: a process started for each upstream event, the command built from
 * the event, at most {@code concurrency} at a time, each job's exit emitted as a {@link JobExit}
 * — the {@code EVF_FORK} of the original AEM as a backpressured operator.
 *
 * <pre>{@code
 * Flow.Publisher<JobExit<Path>> exits = Jobs.run(loop, newFiles,
 *         path -> ProcessSpec.of("gzip", "-k", path.toString()), 4);
 * }</pre>
 *
 * <p><b>Demand.</b> A job holds its slot from its start until its exit has been delivered
 * downstream: upstream is asked for one more event only when a slot frees, so without downstream
 * demand at most {@code concurrency} jobs run or wait to be delivered and upstream is asked for
 * nothing more. Upstream is never asked for more than the free slots.
 *
 * <p><b>Threads.</b> Everything runs on the loop: the command function, the spawn
 * ({@code posix_spawn}, a few hundred microseconds that the loop spends per job), the exits and
 * every signal to the subscriber. No thread per job. The command function must not block.
 *
 * <p><b>Standard streams.</b> A job's {@link Redirect#PIPE} streams would have no reader here (a
 * child filling an unread pipe would block forever), so every {@code PIPE} of a job's spec is
 * replaced by {@link Redirect#DISCARD}; files, {@code INHERIT} and {@code DISCARD} are kept. To
 * read a job's output, redirect it to a file, or start the process with {@link ChildProcess} and
 * subscribe to its streams.
 *
 * <p><b>Termination.</b> The stream completes once upstream has completed and every job's exit
 * has been delivered. It fails, at once, with the first of: upstream's error; an exception from
 * the command function; the typed error of a spawn that failed (for example
 * {@link java.nio.file.NoSuchFileException} for a missing executable); a request of {@code n <= 0}
 * ({@link IllegalArgumentException}); the loop's {@link io.aem.linux.loop.EventLoopClosedException}.
 * A failure or a downstream cancel cancels upstream and ends every running job by its spec's
 * {@link CancelPolicy} (they are still reaped: no zombie). A job that exits non-zero or by a
 * signal is not an error: its {@link JobExit} says how it ended.
 */
public final class Jobs {
    private Jobs() {
    }

    /**
     * The operator. Nothing starts until a subscriber subscribes; each subscriber gets its own
     * subscription to {@code events} and its own jobs.
     *
     * @param loop        the loop that supervises the jobs
     * @param events      the upstream events; each starts one job
     * @param command     builds the job's process from its event, on the loop thread; must not
     *                    return {@code null} or block
     * @param concurrency the most jobs running or waiting to be delivered at once, 1..4096
     * @param <T>         the event type
     * @return the exits, one per event, in the order the jobs ended
     */
    public static <T> Flow.Publisher<JobExit<T>> run(EventLoop loop, Flow.Publisher<? extends T> events,
            Function<? super T, ProcessSpec> command, int concurrency) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(events, "events");
        Objects.requireNonNull(command, "command");
        if (concurrency < 1 || concurrency > JobsSubscription.MAX_CONCURRENCY) {
            throw new IllegalArgumentException("concurrency must be 1.." + JobsSubscription.MAX_CONCURRENCY
                    + " (jobs running at once), was " + concurrency);
        }
        return subscriber -> {
            Objects.requireNonNull(subscriber, "subscriber");
            JobsSubscription<T> subscription = new JobsSubscription<>(loop, command, concurrency, subscriber);
            subscriber.onSubscribe(subscription);
            events.subscribe(subscription);
        };
    }
}
