package io.aem.linux.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.Processes;
import io.aem.linux.testing.ZombieCheck;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A child's pipes under demand, stdin from a publisher, and many children on one loop. */
@ExtendWith({FdLeakCheck.class, ZombieCheck.class})
class ChildStreamsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static EventLoop loop;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("child-streams-test");
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    @Test
    void echoHelloArrivesOnStdout() throws Exception {
        ChildProcess child = ChildProcess.start(loop, ProcessSpec.of("echo", "hello"));
        ByteCollector out = ByteCollector.of(child.stdout());
        ByteCollector err = ByteCollector.of(child.stderr());
        assertThat(out.text()).isEqualTo("hello\n");
        assertThat(err.text()).isEmpty();
        assertThat(ChildProcessTest.exitOf(child).isSuccess()).isTrue();
    }

    @Test
    void fiftyMegabytesReachASlowSubscriberByteExactWithBoundedHeapAndTheChildBlockedMeanwhile() throws Exception {
        long total = 50L * 1024 * 1024;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();
        ChildProcess child = ChildProcess.start(loop, ProcessSpec.of("head", "-c", Long.toString(total), "/dev/zero")
                .withStderr(Redirect.DISCARD));
        OneAtATime sub = new OneAtATime();
        child.stdout().subscribe(sub);
        // No demand yet: the pipe fills and the child sleeps in write (wchan anon_pipe_write on 6.18).
        String wchan = await().atMost(WAIT).until(() -> Files.readString(Path.of("/proc/" + child.pid() + "/wchan")),
                w -> w.contains("pipe_write") || w.equals("pipe_wait_writable"));
        assertThat(Processes.state(child.pid())).isEqualTo('S');
        long[] heapMid = {0};
        long start = System.nanoTime();
        Thread requester = new Thread(() -> {
            try {
                while (!sub.done.isDone()) {
                    sub.subscription.join().request(1);
                    sub.arrived.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS);
                    if (heapMid[0] == 0 && sub.bytes.get() >= total / 2) {
                        System.gc();
                        heapMid[0] = memory.getHeapMemoryUsage().getUsed();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "slow-requester");
        requester.start();
        sub.done.get(60, TimeUnit.SECONDS);
        requester.join(WAIT.toMillis());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("50 MB one chunk per request: " + sub.chunks.get() + " chunks in " + millis + " ms, child wchan "
                + wchan + " before demand, heap growth at half way " + (heapMid[0] - heapBefore) / 1024 + " KiB");
        assertThat(sub.bytes.get()).isEqualTo(total);
        assertThat(sub.nonZero.get()).isFalse();
        assertThat(heapMid[0] - heapBefore).isLessThan(16L * 1024 * 1024);
        assertThat(ChildProcessTest.exitOf(child).isSuccess()).isTrue();
    }

    @Test
    void stdinFromAPublisherRoundTripsOneMegabyteThroughCat() throws Exception {
        long total = 1024 * 1024;
        ChildProcess child = ChildProcess.start(loop, ProcessSpec.of("cat").withStdin(Redirect.PIPE));
        PatternPublisher data = PatternPublisher.of(total, 10_000);
        CountingChecker out = new CountingChecker();
        child.stdout().subscribe(out);
        PipeSink sink = child.feedStdin(data);
        assertThat(sink.done().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(total);
        assertThat(out.done.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(total);
        assertThat(ChildProcessTest.exitOf(child).status()).isEqualTo(new ProcessExit.Exited(0));
        assertThat(data.maxOutstanding.get()).isLessThanOrEqualTo(PipeSink.PREFETCH);
    }

    @Test
    void aThousandConcurrentChildrenNeedNoThreadAndAreAllReaped() throws Exception {
        int count = 1000;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long start = System.nanoTime();
        int threadsBefore = threads.getThreadCount();
        List<ChildProcess> children = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            children.add(ChildProcess.start(loop, ProcessSpec.of("cat").withStdin(Redirect.PIPE)
                    .withStdout(Redirect.DISCARD).withStderr(Redirect.DISCARD)));
        }
        long spawnedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        await().atMost(WAIT).pollInSameThread()
                .until(() -> children.stream().allMatch(c -> Processes.state(c.pid()) == 'S'));
        int threadsWhileRunning = threads.getThreadCount();
        assertThat(children).allMatch(c -> c.exitNow().isEmpty());
        children.forEach(ChildProcess::closeStdin);
        await().atMost(WAIT).pollInSameThread()
                .until(() -> children.stream().allMatch(c -> c.exitNow().isPresent()));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println(count + " children: spawned in " + spawnedMillis + " ms, all reaped after " + millis
                + " ms; threads " + threadsBefore + " before, " + threadsWhileRunning + " while all ran");
        assertThat(threadsWhileRunning).isLessThanOrEqualTo(threadsBefore);
        assertThat(children).allMatch(c -> c.exitNow().get().isSuccess());
        assertThat(children).allMatch(c -> Processes.state(c.pid()) == '-');
        assertThat(millis).isLessThan(20_000);
    }

    /** Requests nothing by itself; counts zero bytes and signals each arrival. */
    private static final class OneAtATime implements Flow.Subscriber<ByteBuffer> {
        final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final Semaphore arrived = new Semaphore(0);
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong chunks = new AtomicLong();
        final AtomicBoolean nonZero = new AtomicBoolean();

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription.complete(s);
        }

        @Override
        public void onNext(ByteBuffer item) {
            while (item.hasRemaining()) {
                if (item.get() != 0) {
                    nonZero.set(true);
                }
                bytes.incrementAndGet();
            }
            chunks.incrementAndGet();
            arrived.release();
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
            arrived.release();
        }

        @Override
        public void onComplete() {
            done.complete(null);
            arrived.release();
        }
    }

    /** Checks the pattern bytes in order, requesting without bound; completes with the count. */
    private static final class CountingChecker implements Flow.Subscriber<ByteBuffer> {
        final CompletableFuture<Long> done = new CompletableFuture<>();
        private long offset;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(ByteBuffer item) {
            try {
                offset = PipePattern.check(item, offset);
            } catch (AssertionError e) {
                done.completeExceptionally(e);
            }
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            done.complete(offset);
        }
    }
}
