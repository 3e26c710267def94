package io.aem.linux.source;

import io.aem.linux.Errno;
import io.aem.linux.OwnedFd;
import io.aem.linux.sys.Epoll;
import io.aem.linux.sys.Io;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The service-provider interface that turns any fd-based kernel interface into an event stream.
 *
 * <p>An implementation says how to open and arm the kernel object, how to read one batch and
 * how to decode one event from it; the framework ({@link SourcePublisher} for
 * {@code java.util.concurrent.Flow}, {@code FluxEventSource} in aem-reactor) supplies the rest:
 * the event loop, demand mapped to {@code EPOLLIN} interest, the batch buffer, loss counting,
 * stream counters, and closing the fd exactly once on cancel, completion, error or loop shutdown.
 *
 * <p><b>Lifecycle, per subscription</b>, all on the loop thread:
 * {@link #open} once; then, only while the subscriber has demand, {@link #read} into the
 * batch buffer and {@link #decode} one event at a time until the buffer is consumed or demand
 * runs out (what is left stays in the buffer for the next request; no other queue exists);
 * finally the framework deregisters and closes the fd and calls {@link #closed()}. A subscription
 * that ends before {@link #open} ran calls {@link #abandoned()} instead.
 * An exception from any method ends that stream with the exception as {@code onError}.
 *
 * <p><b>Example</b>: the read end of a pipe, one event per chunk of bytes:
 * <pre>{@code
 * final class PipeSource implements EventSource<byte[]> {
 *     private final OwnedFd readEnd;                          // opened O_NONBLOCK by the caller
 *     public String name() { return "pipe"; }
 *     public OwnedFd open(SourceContext ctx) { return readEnd; }
 *     public int batchSize() { return 4096; }
 *     public byte[] decode(ByteBuffer batch, SourceContext ctx) {
 *         byte[] chunk = new byte[batch.remaining()];
 *         batch.get(chunk);
 *         return chunk;
 *     }
 * }
 * }</pre>
 * The default {@link #read} treats {@code EAGAIN} as "nothing yet" and a zero-byte read as the
 * end of the stream, so the pipe stream completes when the writer closes.
 *
 * @param <E> the event type
 */
public interface EventSource<E> {
    /** Answer of {@link #read}: nothing to read now; wait for readiness. */
    int WOULD_BLOCK = 0;
    /** Answer of {@link #read}: the stream has ended; the subscriber gets {@code onComplete}. */
    int END_OF_STREAM = -1;

    /** A short description for messages and metrics, for example {@code "timerfd MONOTONIC every 10ms"}. */
    String name();

    /**
     * Opens and arms the kernel object. Called once per subscription, on the loop thread.
     * Ownership of the returned fd passes to the framework, which closes it exactly once.
     *
     * @param context the subscription's context (loop, subscriber context, loss reporting)
     * @return the fd to watch, non-blocking
     * @throws IOException a typed kernel error ({@code io.aem.linux.KernelException} and subclasses) or a bad argument
     */
    OwnedFd open(SourceContext context) throws IOException;

    /** The {@code EPOLL*} interest used while the subscriber has demand; {@link Epoll#EPOLLIN} by default. */
    default int readInterest() {
        return Epoll.EPOLLIN;
    }

    /**
     * Whether one successful {@link #read} takes everything the fd holds (an eventfd counter, a
     * timerfd expiration count): the loop then waits for the next readiness instead of trying a
     * read that would answer {@code EAGAIN}, saving a system call per event. {@code false} by
     * default: the loop reads until {@code EAGAIN} or a per-turn limit.
     */
    default boolean oneReadEmptiesFd() {
        return false;
    }

    /** Bytes of the batch buffer; one {@link #read} fills at most this much. */
    int batchSize();

    /**
     * Reads one batch into the buffer, from its start. The default is one {@code read(2)}.
     *
     * @param fd     the fd returned by {@link #open}
     * @param buffer the batch buffer, empty
     * @return bytes read ({@code > 0}), {@link #WOULD_BLOCK}, or {@link #END_OF_STREAM}
     * @throws IOException a typed kernel error
     */
    default int read(OwnedFd fd, ReadBuffer buffer) throws IOException {
        for (;;) {
            long n = Io.read(fd.get(), buffer.address(), buffer.capacity());
            if (n > 0) {
                return (int) n;
            }
            if (n == 0) {
                return END_OF_STREAM;
            }
            if (n == -Errno.EAGAIN) {
                return WOULD_BLOCK;
            }
            if (n != -Errno.EINTR) {
                throw Errno.exception("read", (int) -n, null);
            }
        }
    }

    /**
     * Whether the source holds events of its own, made while decoding rather than read from the
     * fd: the entries found by scanning a directory that appeared in a watched tree, a move
     * whose second half never came. While this answers {@code true} the framework calls
     * {@link #decode} before reading more, even with an empty batch, and a source whose held
     * events became ready outside a read (a grace period ended) calls
     * {@link SourceContext#readAgain()}. Such events wait for demand like any other. Loop thread;
     * {@code false} by default.
     */
    default boolean holdsEvents() {
        return false;
    }

    /**
     * Decodes at most one event from the batch, advancing its position past the bytes consumed.
     * Called only while the subscriber has demand, and the batch has bytes remaining or
     * {@link #holdsEvents()} answered {@code true}. Must make progress: consume bytes, return a
     * held event, or throw.
     *
     * @param batch   the bytes read, in native byte order, positioned at the next record
     * @param context the subscription's context; report kernel-side loss through it
     * @return the event, or {@code null} when the record consumed yields no event
     * @throws IOException a malformed record, or {@link EventsLostException} when the loss policy is to fail
     */
    E decode(ByteBuffer batch, SourceContext context) throws IOException;

    /**
     * Called once, on the loop thread, after the framework has closed the fd. Frees other
     * resources, and drops the {@link SourceContext} if the source kept it (to call
     * {@link SourceContext#readAgain()} later): the context is the subscription, which holds the
     * subscriber, and a cancelled subscriber must not stay reachable from the publisher (rule 3.13).
     */
    default void closed() {
    }

    /**
     * Called once, instead of {@link #open} and {@link #closed()}, when a subscription ends before
     * the source was opened for it: the subscriber cancelled before the loop got to the
     * subscription, or the loop was already closed. A source that owns a kernel object from
     * before any subscription (the eventfd of {@code UserEvents}) releases it here, as it would
     * have when the subscription ended after opening; a source that opens everything in
     * {@link #open} has nothing to do. Called on the loop thread, or on the subscribing thread
     * when the loop is closed.
     */
    default void abandoned() {
    }
}
