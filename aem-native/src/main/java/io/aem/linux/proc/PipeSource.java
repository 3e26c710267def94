package io.aem.linux.proc;

import io.aem.linux.OwnedFd;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.source.EventSource;
import io.aem.linux.source.SourceContext;
import io.aem.linux.source.SourcePublisher;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The read end of a pipe as a stream of byte chunks: a child's stdout or stderr, or any pipe.
 *
 * <p><b>Events.</b> Each event is one {@link ByteBuffer} holding a copy of everything one
 * {@code read(2)} returned, at most {@link #chunkSize()} bytes: a fresh heap buffer, position 0,
 * limit the byte count, that the subscriber may keep and change. Chunks arrive in pipe order;
 * their boundaries follow the writer's timing and mean nothing. When every writer has closed its
 * end the stream completes, after all data still in the pipe was delivered.
 *
 * <p><b>Demand is backpressure.</b> The pipe is read only while the subscriber has demand, one
 * chunk per requested event. Without demand the data stays in the kernel; once the pipe is full
 * (64 KiB by default, see {@code F_GETPIPE_SZ}) the writer's {@code write} blocks, or answers
 * {@code EAGAIN} if its end is non-blocking. Java holds at most one read batch
 * ({@code chunkSize} bytes of native memory) per subscription, plus the chunks handed out.
 *
 * <p><b>Ownership.</b> The source owns the read end from construction and serves one subscription:
 * the framework closes the fd exactly once when that subscription is cancelled, completes or
 * fails, or when the loop closes; if the subscription ends before the source was opened, the fd
 * is closed then ({@link #abandoned()}). A second subscriber receives
 * {@link IllegalStateException} as {@code onError}. Events are delivered on the loop thread.
 *
 * <p><b>Errors</b>: a failing {@code read} ends the stream with a
 * {@link io.aem.linux.KernelException}; a read end closed before the subscription opened it gives
 * {@link io.aem.linux.ClosedFdException}.
 */
public final class PipeSource implements EventSource<ByteBuffer> {
    /** The default chunk size: the capacity of a default pipe, so one read can empty it. */
    public static final int DEFAULT_CHUNK_SIZE = 64 * 1024;

    private final OwnedFd readEnd;
    private final String name;
    private final int chunkSize;
    private final AtomicBoolean taken = new AtomicBoolean();

    /**
     * A source reading chunks of up to {@value #DEFAULT_CHUNK_SIZE} bytes.
     *
     * @param readEnd the pipe's read end, non-blocking (see {@link PipePair}); ownership passes to the source
     * @param name    what the pipe carries, for messages and metrics, for example {@code "stdout of 1234"}
     */
    public PipeSource(OwnedFd readEnd, String name) {
        this(readEnd, name, DEFAULT_CHUNK_SIZE);
    }

    /**
     * A source reading chunks of up to {@code chunkSize} bytes.
     *
     * @param readEnd   the pipe's read end, non-blocking; ownership passes to the source
     * @param name      what the pipe carries, for messages and metrics
     * @param chunkSize the most bytes one read (and so one event) takes, {@code > 0}
     */
    public PipeSource(OwnedFd readEnd, String name, int chunkSize) {
        this.readEnd = Objects.requireNonNull(readEnd, "readEnd");
        this.name = Objects.requireNonNull(name, "name");
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunkSize must be > 0, was " + chunkSize);
        }
        this.chunkSize = chunkSize;
    }

    /**
     * A publisher of the pipe's chunks, for exactly one subscriber.
     *
     * @param loop    the loop that reads the pipe and delivers the chunks
     * @param readEnd the pipe's read end, non-blocking; ownership passes to the publisher
     * @param name    what the pipe carries
     * @return the publisher
     */
    public static Flow.Publisher<ByteBuffer> publisher(EventLoop loop, OwnedFd readEnd, String name) {
        return new SourcePublisher<>(Objects.requireNonNull(loop, "loop"), new PipeSource(readEnd, name));
    }

    /** The most bytes one event carries. */
    public int chunkSize() {
        return chunkSize;
    }

    @Override
    public String name() {
        return "pipe " + name;
    }

    /** Hands the read end to the framework; only once. */
    @Override
    public OwnedFd open(SourceContext context) {
        if (!taken.compareAndSet(false, true)) {
            throw new IllegalStateException("the " + name() + " is already read by another subscription;"
                    + " a pipe's bytes can be consumed once: subscribe once, or share the stream downstream");
        }
        readEnd.get();
        return readEnd;
    }

    @Override
    public int batchSize() {
        return chunkSize;
    }

    /** Copies the whole batch into one fresh heap buffer. */
    @Override
    public ByteBuffer decode(ByteBuffer batch, SourceContext context) {
        ByteBuffer chunk = ByteBuffer.allocate(batch.remaining());
        chunk.put(batch);
        chunk.flip();
        return chunk;
    }

    /** Closes the read end if no subscription has taken it. */
    @Override
    public void abandoned() {
        if (taken.compareAndSet(false, true)) {
            readEnd.close();
        }
    }
}
