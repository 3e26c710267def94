package io.aem.linux.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.sys.Pipes;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.OpenFds;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FdLeakCheck.class)
class PipeSinkTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final long TEN_MB = 10L * 1024 * 1024;
    private static EventLoop loop;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("pipe-sink-test");
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    private static long pipeFds(Map<Integer, String> before) {
        return OpenFds.openedSince(before).values().stream().filter(t -> t.startsWith("pipe:")).count();
    }

    private static Throwable failure(PipeSink sink) {
        CompletableFuture<Throwable> error = sink.done().toCompletableFuture().handle((v, t) -> t);
        Throwable t = error.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        assertThat(t).as("failure of %s", sink).isNotNull();
        return t;
    }

    @Test
    void tenMegabytesArriveByteExactAtAReaderAndCompletionClosesTheWriteEndOnce() throws Exception {
        Map<Integer, String> before = OpenFds.snapshot();
        PipePair pipe = PipePair.forChildInput();
        assertThat(pipeFds(before)).isEqualTo(2);
        PatternPublisher data = PatternPublisher.of(TEN_MB, 10_000);
        PipeReader reader = PipeReader.start(pipe.readEnd());
        PipeSink sink = PipeSink.feed(loop, pipe.writeEnd(), data, "10 MB");

        assertThat(sink.done().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(TEN_MB);
        assertThat(pipe.writeEnd().isOpen()).isFalse();
        assertThat(reader.done.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("bytes before end of file").isEqualTo(TEN_MB);
        assertThat(sink.written()).isEqualTo(TEN_MB);
        assertThat(data.maxOutstanding.get()).isBetween(1L, (long) PipeSink.PREFETCH);
        assertThat(data.cancelled).isNotDone();
        await().atMost(WAIT).until(() -> pipeFds(before) == 0);
    }

    @Test
    void directBuffersAreWrittenInPlaceByteExact() throws Exception {
        PipePair pipe = PipePair.forChildInput();
        PipeReader reader = PipeReader.start(pipe.readEnd());
        PipeSink sink = PipeSink.feed(loop, pipe.writeEnd(), PatternPublisher.direct(TEN_MB, 100_000), "direct");
        assertThat(sink.done().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(TEN_MB);
        assertThat(reader.done.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(TEN_MB);
    }

    @Test
    void tenMegabytesFromTheJdksSubmissionPublisherOnItsOwnThreads() throws Exception {
        PipePair pipe = PipePair.forChildInput();
        PipeReader reader = PipeReader.start(pipe.readEnd());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (SubmissionPublisher<ByteBuffer> data = new SubmissionPublisher<>(pool, 4)) {
            PipeSink sink = PipeSink.feed(loop, pipe.writeEnd(), data, "submission");
            for (long off = 0; off < TEN_MB; off += 8192) {
                data.submit(PipePattern.buffer(8192, off)); // blocks while the sink has no demand
            }
            data.close();
            assertThat(sink.done().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(TEN_MB);
            assertThat(reader.done.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(TEN_MB);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aReaderThatDoesNotReadStopsTheSinkAtThePipeCapacityAndItsPrefetch() throws Exception {
        PipePair pipe = PipePair.forChildInput();
        int capacity = Pipes.capacity(pipe.writeEnd().get());
        int bufferSize = 4096;
        CompletableFuture<Void> gate = new CompletableFuture<>();
        PipeReader reader = PipeReader.startAfter(pipe.readEnd(), gate);
        PatternPublisher data = PatternPublisher.of(TEN_MB, bufferSize);
        PipeSink sink = PipeSink.feed(loop, pipe.writeEnd(), data, "held back");

        await().atMost(WAIT).until(() -> sink.written() == capacity);
        // Full pipe: the sink waits for EPOLLOUT holding its prefetch, no more.
        await().atMost(WAIT).until(() -> data.delivered.get() == capacity / bufferSize + PipeSink.PREFETCH);
        assertThat(data.maxOutstanding.get()).isLessThanOrEqualTo(PipeSink.PREFETCH);
        assertThat(sink.done()).isNotDone();

        gate.complete(null);
        assertThat(sink.done().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(TEN_MB);
        assertThat(reader.done.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(TEN_MB);
        assertThat(data.maxOutstanding.get()).isLessThanOrEqualTo(PipeSink.PREFETCH);
    }

    @Test
    void anUpstreamErrorClosesTheWriteEndAndFailsDoneWithIt() throws Exception {
        PipePair pipe = PipePair.forChildInput();
        PipeReader reader = PipeReader.start(pipe.readEnd());
        PipeSink sink = PipeSink.feed(loop, pipe.writeEnd(), PatternPublisher.failingAfter(3, 1000), "failing");
        assertThat(failure(sink)).isSameAs(PatternPublisher.FAILURE);
        assertThat(pipe.writeEnd().isOpen()).isFalse();
        // The reader sees end of file after what was written before the error.
        assertThat(reader.done.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isBetween(0L, 3000L);
    }

    @Test
    void aClosedReaderGivesBrokenPipeAndCancelsTheUpstream() throws Exception {
        PipePair pipe = PipePair.forChildInput();
        PatternPublisher data = PatternPublisher.of(Long.MAX_VALUE, 8192);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        PipeReader reader = PipeReader.startAfter(pipe.readEnd(), gate);
        PipeSink sink = PipeSink.feed(loop, pipe.writeEnd(), data, "stdin of a quitter");
        await().atMost(WAIT).until(() -> sink.written() > 0);
        reader.done.cancel(false);
        pipe.readEnd().close(); // the reader's thread still waits at its gate and never reads

        Throwable error = failure(sink);
        assertThat(error).isInstanceOf(BrokenPipeException.class).hasMessageContaining("stdin of a quitter");
        assertThat(((BrokenPipeException) error).errnoName()).isEqualTo("EPIPE");
        assertThat(data.cancelled).isDone();
        assertThat(pipe.writeEnd().isOpen()).isFalse();
        gate.complete(null);
    }

    @Test
    void aReaderGoneWhileTheSinkWaitsForDataIsReportedWithoutAWrite() throws Exception {
        PipePair pipe = PipePair.forChildInput();
        SubmissionPublisher<ByteBuffer> data = new SubmissionPublisher<>();
        PipeSink sink = PipeSink.feed(loop, pipe.writeEnd(), data, "idle");
        await().atMost(WAIT).until(() -> data.getNumberOfSubscribers() == 1);
        pipe.readEnd().close();
        assertThat(failure(sink)).isInstanceOf(BrokenPipeException.class);
        await().atMost(WAIT).until(() -> data.getNumberOfSubscribers() == 0);
        assertThat(sink.written()).isZero();
        data.close();
    }

    @Test
    void cancelClosesTheWriteEndCancelsTheUpstreamAndTheReaderSeesEndOfFile() throws Exception {
        PipePair pipe = PipePair.forChildInput();
        CompletableFuture<Void> gate = new CompletableFuture<>();
        PipeReader reader = PipeReader.startAfter(pipe.readEnd(), gate);
        PatternPublisher data = PatternPublisher.of(Long.MAX_VALUE, 4096);
        PipeSink sink = PipeSink.feed(loop, pipe.writeEnd(), data, "cancelled");
        await().atMost(WAIT).until(() -> sink.written() == 65536);
        sink.cancel();
        sink.cancel();
        assertThat(failure(sink)).isInstanceOf(CancellationException.class);
        assertThat(data.cancelled).isDone();
        assertThat(pipe.writeEnd().isOpen()).isFalse();
        gate.complete(null);
        assertThat(reader.done.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(65536L);
    }

    @Test
    void closingTheLoopDuringATransferEndsTheSinkWithEventLoopClosed() throws Exception {
        PipePair pipe = PipePair.forChildInput();
        CompletableFuture<Void> gate = new CompletableFuture<>();
        PipeReader reader = PipeReader.startAfter(pipe.readEnd(), gate);
        PatternPublisher data = PatternPublisher.of(Long.MAX_VALUE, 4096);
        EventLoop own = EventLoop.open("pipe-sink-closing");
        PipeSink sink = PipeSink.feed(own, pipe.writeEnd(), data, "loop closes");
        await().atMost(WAIT).until(() -> sink.written() == 65536);
        own.close();
        assertThat(failure(sink)).isInstanceOf(EventLoopClosedException.class);
        assertThat(data.cancelled).isDone();
        assertThat(pipe.writeEnd().isOpen()).isFalse();
        gate.complete(null);
        assertThat(reader.done.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(65536L);
    }

    @Test
    void feedingOnAClosedLoopClosesTheWriteEndAndNeverSubscribes() throws Exception {
        PipePair pipe = PipePair.forChildInput();
        EventLoop own = EventLoop.open("pipe-sink-closed");
        own.close();
        PatternPublisher data = PatternPublisher.of(100, 10);
        PipeSink sink = PipeSink.feed(own, pipe.writeEnd(), data, "too late");
        assertThat(sink.done()).isCompletedExceptionally();
        assertThat(failure(sink)).isInstanceOf(EventLoopClosedException.class);
        assertThat(pipe.writeEnd().isOpen()).isFalse();
        assertThat(data.subscribed).isNotDone();
        pipe.close();
    }

    @Test
    void aNullBufferIsAProtocolViolationThatCancelsTheUpstream() throws Exception {
        PipePair pipe = PipePair.forChildInput();
        PipeReader reader = PipeReader.start(pipe.readEnd());
        PatternPublisher data = PatternPublisher.sendingNull(100);
        PipeSink sink = PipeSink.feed(loop, pipe.writeEnd(), data, "null");
        assertThat(failure(sink)).isInstanceOf(NullPointerException.class).hasMessageContaining("rule 2.13");
        assertThat(data.cancelled).isDone();
        assertThat(reader.done.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isBetween(0L, 100L);
    }

    @Test
    void aNonBlockingParentEndLeavesTheChildsEndBlocking() throws Exception {
        try (PipePair in = PipePair.forChildInput(); PipePair out = PipePair.forChildOutput()) {
            assertThat(Pipes.statusFlags(in.writeEnd().get()) & Pipes.O_NONBLOCK).isEqualTo(Pipes.O_NONBLOCK);
            assertThat(Pipes.statusFlags(in.readEnd().get()) & Pipes.O_NONBLOCK).isZero();
            assertThat(Pipes.statusFlags(out.readEnd().get()) & Pipes.O_NONBLOCK).isEqualTo(Pipes.O_NONBLOCK);
            assertThat(Pipes.statusFlags(out.writeEnd().get()) & Pipes.O_NONBLOCK).isZero();
            assertThat(Pipes.setCapacity(in.writeEnd().get(), 1 << 20)).isEqualTo(1 << 20);
            assertThat(Pipes.capacity(in.readEnd().get())).isEqualTo(1 << 20);
        }
    }
}
