package io.aem.linux.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.QueueingSubscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Helpers of the eBPF stream tests. */
final class BpfTesting {
    static final Duration WAIT = Duration.ofSeconds(20);

    private BpfTesting() {
    }

    /** Debian's python3 when present (a shim earlier in PATH would add processes), else python3 from PATH. */
    static String python3() {
        return java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    /** This JVM's pid. */
    static int self() {
        return (int) ProcessHandle.current().pid();
    }

    /**
     * Subscribes and waits until the programs are attached: the source opens on the loop in the
     * task queued by subscribe, so a task queued after it runs once the load is done.
     */
    static <T> QueueingSubscriber<T> subscribe(EventLoop loop, Flow.Publisher<T> publisher, long request)
            throws Exception {
        QueueingSubscriber<T> sub = new QueueingSubscriber<>();
        publisher.subscribe(sub);
        if (request > 0) {
            sub.request(request);
        }
        barrier(loop);
        if (sub.done.isCompletedExceptionally()) {
            sub.done.join();
        }
        return sub;
    }

    /** Waits until every task queued on the loop before this call has run. */
    static void barrier(EventLoop loop) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> done.complete(null));
        done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Takes items until one matches, within {@link #WAIT}; fails with what was seen otherwise. */
    static <T> T next(QueueingSubscriber<T> sub, Predicate<T> matching) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<T> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            T item = sub.items.poll(100, TimeUnit.MILLISECONDS);
            if (item != null) {
                if (matching.test(item)) {
                    return item;
                }
                seen.add(item);
            }
            if (sub.done.isDone()) {
                sub.done.join();
            }
        }
        assertThat(seen).as("no matching event within " + WAIT).isEmpty();
        throw new AssertionError("no event within " + WAIT);
    }
}
