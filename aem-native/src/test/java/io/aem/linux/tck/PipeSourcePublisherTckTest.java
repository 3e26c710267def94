package io.aem.linux.tck;

import com.sun.jna.Memory;
import io.aem.linux.KernelException;
import io.aem.linux.proc.PipePair;
import io.aem.linux.proc.PipeSource;
import io.aem.linux.source.SourcePublisher;
import io.aem.linux.sys.Io;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;

/**
 * Reactive Streams TCK for the {@link Flow.Publisher} of a {@link PipeSource}.
 *
 * <p>Each publisher reads a fresh pipe holding exactly {@code elements} bytes whose write end is
 * already closed, with a chunk size of one byte: one read, one event, so the stream has exactly
 * {@code elements} events and then completes at end of file. The bytes fit in the pipe (at most
 * {@link #maxElementsFromPublisher()}), so writing them never blocks. Pipes of publishers the TCK
 * creates without subscribing are closed after the class.
 */
public class PipeSourcePublisherTckTest extends LoopPublisherVerification<ByteBuffer> {
    private final List<PipePair> pipes = new CopyOnWriteArrayList<>();

    private PipeSource source(long elements) {
        try {
            PipePair pipe = PipePair.nonBlocking();
            pipes.add(pipe);
            if (elements > 0) {
                try (Memory bytes = new Memory(elements)) {
                    bytes.clear();
                    if (Io.write(pipe.writeEnd().get(), bytes, elements) != elements) {
                        throw new IllegalStateException("the pipe did not take " + elements + " bytes");
                    }
                }
            }
            pipe.writeEnd().close();
            return new PipeSource(pipe.readEnd(), "tck " + elements + " bytes", 1);
        } catch (KernelException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Flow.Publisher<ByteBuffer> createFlowPublisher(long elements) {
        return new SourcePublisher<>(loop, source(elements));
    }

    @Override
    public Flow.Publisher<ByteBuffer> createFailedFlowPublisher() {
        return new SourcePublisher<>(closedLoop, source(1));
    }

    @Override
    public long maxElementsFromPublisher() {
        return 4096;
    }

    @Override
    protected void releaseSources() {
        pipes.forEach(PipePair::close);
    }
}
