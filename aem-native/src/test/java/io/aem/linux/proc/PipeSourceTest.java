package io.aem.linux.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.jna.Memory;
import io.aem.linux.Errno;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.source.SourcePublisher;
import io.aem.linux.sys.Io;
import io.aem.linux.sys.Pidfd;
import io.aem.linux.sys.Pipes;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.OpenFds;
import io.aem.linux.testing.Processes;
import io.aem.linux.testing.RecordingSubscriber;
import io.aem.linux.testing.ZombieCheck;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({FdLeakCheck.class, ZombieCheck.class})
class PipeSourceTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int KIB64 = 64 * 1024;
    private static EventLoop loop;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("pipe-source-test");
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    private static long pipeFds(Map<Integer, String> before) {
        return OpenFds.openedSince(before).values().stream().filter(t -> t.startsWith("pipe:")).count();
    }

    @Test
    void tenMegabytesWrittenByAThreadArriveInOrderByteExactAndEndOfFileCompletes() throws Exception {
        PipePair pipe = PipePair.nonBlocking();
        RecordingSubscriber<ByteBuffer> sub = new RecordingSubscriber<>(Long.MAX_VALUE);
        PipeSource.publisher(loop, pipe.readEnd(), "10 MB").subscribe(sub);
        long total = 10L * 1024 * 1024;
        PipeWriter writer = PipeWriter.start(pipe.writeEnd(), total);

        assertThat(writer.done.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(total);
        sub.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        long offset = 0;
        for (ByteBuffer chunk : sub.items) {
            assertThat(chunk.position()).isZero();
            assertThat(chunk.remaining()).isBetween(1, KIB64);
            assertThat(chunk.isDirect()).isFalse();
            offset = PipePattern.check(chunk, offset);
        }
        assertThat(offset).isEqualTo(total);
        assertThat(sub.threads).containsOnly("pipe-source-test");
        await().atMost(WAIT).until(() -> !pipe.readEnd().isOpen());
    }

    @Test
    void withoutDemandThePipeFillsAndTheWriterGetsEagainThenDemandLetsTheRestFlow() throws Exception {
        PipePair pipe = PipePair.nonBlocking();
        RecordingSubscriber<ByteBuffer> sub = new RecordingSubscriber<>(0);
        PipeSource.publisher(loop, pipe.readEnd(), "no demand").subscribe(sub);
        int capacity = Pipes.capacity(pipe.writeEnd().get());
        assertThat(capacity).isEqualTo(KIB64);
        long written = 0;
        try (Memory block = new Memory(4096)) {
            block.write(0, PipePattern.buffer(4096, 0).array(), 0, 4096);
            long n;
            while ((n = Io.write(pipe.writeEnd().get(), block, 4096)) > 0) {
                written += n;
                block.write(0, PipePattern.buffer(4096, written).array(), 0, 4096);
            }
            // The kernel, not Java, holds the writer back: the pipe is full, nothing was read.
            assertThat(n).isEqualTo(-Errno.EAGAIN);
        }
        assertThat(written).isEqualTo(capacity);
        assertThat(sub.items).isEmpty();

        sub.request(1);
        await().atMost(WAIT).until(() -> sub.items.size() == 1);
        assertThat(sub.items.get(0).remaining()).isEqualTo(capacity);
        PipePattern.check(sub.items.get(0), 0);

        pipe.writeEnd().close();
        sub.request(1);
        sub.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(sub.items).hasSize(1);
    }

    @Test
    void endOfFileAfterDataDeliversAllTheDataBeforeCompleting() throws Exception {
        PipePair pipe = PipePair.nonBlocking();
        try (Memory block = new Memory(1000)) {
            block.write(0, PipePattern.buffer(1000, 0).array(), 0, 1000);
            assertThat(Io.write(pipe.writeEnd().get(), block, 1000)).isEqualTo(1000);
        }
        pipe.writeEnd().close(); // the pipe now reports EPOLLIN | EPOLLHUP with data in it
        RecordingSubscriber<ByteBuffer> sub = new RecordingSubscriber<>(0);
        new SourcePublisher<>(loop, new PipeSource(pipe.readEnd(), "hup", 300)).subscribe(sub);
        sub.request(1);
        await().atMost(WAIT).until(() -> sub.items.size() == 1);
        assertThat(sub.done).isNotDone();
        sub.request(10);
        sub.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(sub.items).extracting(ByteBuffer::remaining).containsExactly(300, 300, 300, 100);
        long offset = 0;
        for (ByteBuffer chunk : sub.items) {
            offset = PipePattern.check(chunk, offset);
        }
        await().atMost(WAIT).until(() -> !pipe.readEnd().isOpen());
    }

    @Test
    void cancelClosesTheReadEndOnceAndTheWriterThenGetsEpipeWithoutSigpipeKillingTheJvm() throws Exception {
        Map<Integer, String> before = OpenFds.snapshot();
        PipePair pipe = PipePair.nonBlocking();
        assertThat(pipeFds(before)).isEqualTo(2);
        RecordingSubscriber<ByteBuffer> sub = new RecordingSubscriber<>(1);
        PipeSource.publisher(loop, pipe.readEnd(), "cancelled").subscribe(sub);
        sub.subscription.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        sub.cancel();
        await().atMost(WAIT).until(() -> !pipe.readEnd().isOpen() && pipeFds(before) == 1);
        try (Memory b = new Memory(1)) {
            // HotSpot handles SIGPIPE without dying, so the write reports EPIPE.
            assertThat(Io.write(pipe.writeEnd().get(), b, 1)).isEqualTo(-Errno.EPIPE);
        }
        pipe.close();
        assertThat(pipeFds(before)).isZero();
        assertThat(sub.done).isNotDone();
    }

    @Test
    void aSubscriptionAbandonedBeforeOpenClosesTheReadEnd() throws Exception {
        PipePair pipe = PipePair.nonBlocking();
        try (EventLoop closed = EventLoop.open("closed-before-subscribe")) {
            closed.close();
            RecordingSubscriber<ByteBuffer> sub = new RecordingSubscriber<>(1);
            PipeSource.publisher(closed, pipe.readEnd(), "abandoned").subscribe(sub);
            assertThat(sub.error()).isInstanceOf(io.aem.linux.loop.EventLoopClosedException.class);
        }
        assertThat(pipe.readEnd().isOpen()).isFalse();
        pipe.close();
    }

    @Test
    void aSecondSubscriberIsRefusedAndTheFirstKeepsReading() throws Exception {
        PipePair pipe = PipePair.nonBlocking();
        Flow.Publisher<ByteBuffer> publisher = PipeSource.publisher(loop, pipe.readEnd(), "once");
        RecordingSubscriber<ByteBuffer> first = new RecordingSubscriber<>(Long.MAX_VALUE);
        RecordingSubscriber<ByteBuffer> second = new RecordingSubscriber<>(Long.MAX_VALUE);
        publisher.subscribe(first);
        publisher.subscribe(second);
        await().atMost(WAIT).until(() -> second.done.isDone());
        assertThat(second.error()).isInstanceOf(IllegalStateException.class).hasMessageContaining("already read");
        PipeWriter.start(pipe.writeEnd(), 5000).done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        first.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(first.items.stream().mapToInt(ByteBuffer::remaining).sum()).isEqualTo(5000);
    }

    @Test
    void aChildsStdoutArrivesThroughTheBlockingEndAndEndsWhenTheChildExits() throws Exception {
        PipePair pipe = PipePair.forChildOutput();
        assertThat(Pipes.statusFlags(pipe.readEnd().get()) & Pipes.O_NONBLOCK).isEqualTo(Pipes.O_NONBLOCK);
        assertThat(Pipes.statusFlags(pipe.writeEnd().get()) & Pipes.O_NONBLOCK).isZero();
        int pid = TestSpawn.spawnWithStdout(pipe.writeEnd().get(), "seq", "1", "100000");
        try {
            pipe.writeEnd().close(); // only the child holds the write end now
            RecordingSubscriber<ByteBuffer> sub = new RecordingSubscriber<>(Long.MAX_VALUE);
            PipeSource.publisher(loop, pipe.readEnd(), "stdout of seq").subscribe(sub);
            sub.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            StringBuilder out = new StringBuilder();
            sub.items.forEach(b -> out.append(StandardCharsets.US_ASCII.decode(b)));
            String expected = IntStream.rangeClosed(1, 100000).mapToObj(Integer::toString)
                    .collect(Collectors.joining("\n", "", "\n"));
            assertThat(out.toString()).isEqualTo(expected);
            try (Memory info = new Memory(Pidfd.SIGINFO_SIZE)) {
                assertThat(Pidfd.waitid(Pidfd.P_PID, pid, info, Pidfd.WEXITED)).isZero();
                assertThat(info.getInt(Pidfd.SI_STATUS)).isZero();
            }
            assertThat(Processes.state(pid)).isEqualTo('-');
        } finally {
            TestSpawn.killAndReap(pid);
        }
    }

    @Test
    void fiftyMegabytesToASubscriberRequestingOneChunkAtATimeHoldOnlyAPipeAndABatchInFlight() throws Exception {
        PipePair pipe = PipePair.nonBlocking();
        long total = 50L * 1024 * 1024;
        ScheduledExecutorService requester = Executors.newSingleThreadScheduledExecutor();
        AtomicLong received = new AtomicLong();
        AtomicLong maxInFlight = new AtomicLong();
        AtomicLong maxChunk = new AtomicLong();
        AtomicLong outstanding = new AtomicLong();
        AtomicLong maxOutstandingAtDelivery = new AtomicLong();
        // Set right after the writer starts, which may be after its first bytes reached onNext.
        java.util.concurrent.atomic.AtomicReference<PipeWriter> writer = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        try {
            PipeSource.publisher(loop, pipe.readEnd(), "50 MB slow").subscribe(new Flow.Subscriber<>() {
                private Flow.Subscription s;

                @Override
                public void onSubscribe(Flow.Subscription s) {
                    this.s = s;
                    outstanding.incrementAndGet();
                    s.request(1);
                }

                @Override
                public void onNext(ByteBuffer chunk) {
                    maxOutstandingAtDelivery.accumulateAndGet(outstanding.getAndDecrement(), Math::max);
                    maxChunk.accumulateAndGet(chunk.remaining(), Math::max);
                    long at = received.get();
                    received.set(PipePattern.check(chunk, at));
                    // Bytes the writer got rid of but this subscriber has not seen: the pipe and the batch.
                    PipeWriter w;
                    while ((w = writer.get()) == null) {
                        Thread.onSpinWait();
                    }
                    maxInFlight.accumulateAndGet(w.written.get() - at, Math::max);
                    requester.schedule(() -> {
                        outstanding.incrementAndGet();
                        s.request(1);
                    }, 1, TimeUnit.MILLISECONDS);
                }

                @Override
                public void onError(Throwable t) {
                    done.completeExceptionally(t);
                }

                @Override
                public void onComplete() {
                    done.complete(null);
                }
            });
            writer.set(PipeWriter.start(pipe.writeEnd(), total));
            done.get(30, TimeUnit.SECONDS);
            assertThat(writer.get().done.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(total);
        } finally {
            requester.shutdownNow();
        }
        assertThat(received.get()).isEqualTo(total);
        assertThat(maxOutstandingAtDelivery.get()).isEqualTo(1);
        assertThat(maxChunk.get()).isLessThanOrEqualTo(KIB64);
        assertThat(maxInFlight.get()).as("bytes between writer and subscriber").isLessThanOrEqualTo(2L * KIB64);
        assertThat(writer.get().fullPipe.get()).as("times the writer found the pipe full").isPositive();
        System.out.printf("50 MB slow subscriber: writer found the pipe full %d times, at most %d bytes in flight%n",
                writer.get().fullPipe.get(), maxInFlight.get());
    }
}
