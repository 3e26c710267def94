package io.aem.reactor;

import io.aem.linux.proc.ChildProcess;
import io.aem.linux.proc.PipeSink;
import io.aem.linux.proc.ProcessExit;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;
import org.reactivestreams.Publisher;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A running child process as Reactor types, from {@link Aem#spawn}: a thin view of a
 * {@link ChildProcess}, whose contract applies (supervision on the loop, one reap, no zombie, no
 * thread per child). Every signal arrives on the loop thread. Thread-safe.
 */
public final class AemProcess {
    private final ChildProcess child;

    AemProcess(ChildProcess child) {
        this.child = Objects.requireNonNull(child, "child");
    }

    /** The process id. */
    public long pid() {
        return child.pid();
    }

    /** The supervised child, for the {@code Flow} API. */
    public ChildProcess child() {
        return child;
    }

    /**
     * The stdout pipe as byte chunks, read only under demand: without demand the pipe fills and
     * the child blocks in {@code write}. One subscriber; subscribe before (or together with) the
     * exit, since a pipe nobody took when the exit is first delivered is closed unread.
     *
     * @return the chunks; completes at end of file
     * @throws IllegalStateException the spec's stdout is not {@code Redirect.PIPE}
     */
    public Flux<ByteBuffer> stdout() {
        return JdkFlowAdapter.flowPublisherToFlux(child.stdout());
    }

    /**
     * The stderr pipe, like {@link #stdout()}.
     *
     * @return the chunks; completes at end of file
     * @throws IllegalStateException the spec's stderr is not {@code Redirect.PIPE}
     */
    public Flux<ByteBuffer> stderr() {
        return JdkFlowAdapter.flowPublisherToFlux(child.stderr());
    }

    /**
     * The exit. Each subscription subscribes to {@link ChildProcess#exit()}: any number may wait;
     * cancelling the last one before the exit applies the spec's cancel policy.
     *
     * @return the exit, on the loop thread
     */
    public Mono<ProcessExit> exit() {
        return JdkFlowAdapter.flowPublisherToFlux(child.exit()).single();
    }

    /** The exit if the child has been reaped, else empty. */
    public Optional<ProcessExit> exitNow() {
        return child.exitNow();
    }

    /** Whether the spec's timeout ended the child. */
    public boolean timedOut() {
        return child.timedOut();
    }

    /**
     * Feeds stdin from a publisher when subscribed (see {@link ChildProcess#feedStdin}); the
     * pipe is closed when the data completes, so the child reads end of file. Cancelling stops
     * the feed and closes the pipe.
     *
     * @param data the bytes
     * @return the number of bytes written; {@link io.aem.linux.proc.BrokenPipeException} if the
     *         child stopped reading; {@link IllegalStateException} if stdin is not a pipe or was
     *         already fed or closed
     */
    public Mono<Long> stdin(Publisher<ByteBuffer> data) {
        Objects.requireNonNull(data, "data");
        return Mono.defer(() -> {
            PipeSink sink = child.feedStdin(JdkFlowAdapter.publisherToFlowPublisher(data));
            return Mono.fromCompletionStage(sink.done()).doOnCancel(sink::cancel);
        });
    }

    /**
     * Sends a signal through the pidfd.
     *
     * @param signal the signal number
     * @return {@code false} once the child has been reaped
     */
    public boolean signal(int signal) {
        return child.signal(signal);
    }

    /** {@code SIGTERM}, then {@code SIGKILL} after the spec's kill grace. */
    public void terminate() {
        child.terminate();
    }

    /** {@code SIGKILL}. */
    public void kill() {
        child.kill();
    }

    @Override
    public String toString() {
        return "AemProcess[" + child + "]";
    }
}
