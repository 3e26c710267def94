package io.aem.linux.fs;

import static org.awaitility.Awaitility.await;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.source.SourcePublisher;
import io.aem.linux.testing.LoopProbe;
import io.aem.linux.testing.OpenFds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * What the permission tests share: a temporary directory made <em>before</em> any mark (this JVM
 * must never touch a marked file), subscriptions that are always cancelled afterwards, and a
 * subscriber that answers in {@code onNext}.
 */
final class PermissionTestSupport implements AutoCloseable {
    /** {@code CAP_SYS_ADMIN}. */
    static final int CAP_SYS_ADMIN = 21;
    static final String CONTENT = "hello from a marked file\n";

    final Path dir;
    final Path file;
    private final Map<Integer, String> fanotifyBefore;
    private final List<Flow.Subscription> subscriptions = new CopyOnWriteArrayList<>();

    PermissionTestSupport() throws IOException {
        fanotifyBefore = OpenFds.snapshot();
        dir = Files.createTempDirectory("aem-permission-");
        file = dir.resolve("marked.txt");
        Files.writeString(file, CONTENT);
    }

    /** Subscribes on the loop and returns once the source is open (its marks are placed, or it failed). */
    <S extends Flow.Subscriber<? super PermissionRequest>> S subscribe(EventLoop loop, PermissionSource source, S subscriber) {
        new SourcePublisher<>(loop, source).subscribe(new Flow.Subscriber<PermissionRequest>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscriptions.add(s);
                subscriber.onSubscribe(s);
            }

            @Override
            public void onNext(PermissionRequest item) {
                subscriber.onNext(item);
            }

            @Override
            public void onError(Throwable t) {
                subscriber.onError(t);
            }

            @Override
            public void onComplete() {
                subscriber.onComplete();
            }
        });
        LoopProbe.drainTasks(loop);
        return subscriber;
    }

    /** Cancels every subscription made so far and waits for their groups to close. */
    void cancelAll() {
        subscriptions.forEach(Flow.Subscription::cancel);
        subscriptions.clear();
        await().atMost(Duration.ofSeconds(10)).until(() -> OpenFds.countAnonSince(fanotifyBefore, "[fanotify]") == 0);
    }

    /** Cancels every subscription, waits for their groups to close, and deletes the directory. */
    @Override
    public void close() {
        cancelAll();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Threads of the deadline keeper alive now. */
    static long keeperThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().equals(PermissionKeeper.THREAD_NAME)).count();
    }

    /**
     * A subscriber that answers each request in {@code onNext}, on the loop thread, with a policy:
     * {@code true} allows, {@code false} denies, {@code null} leaves it unanswered.
     */
    static final class Answering implements Flow.Subscriber<PermissionRequest> {
        final List<PermissionRequest> received = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        private final java.util.function.Function<PermissionRequest, Boolean> policy;
        private final long initialRequest;

        Answering(long initialRequest, java.util.function.Function<PermissionRequest, Boolean> policy) {
            this.initialRequest = initialRequest;
            this.policy = policy;
        }

        static Answering allowAll() {
            return new Answering(Long.MAX_VALUE, r -> true);
        }

        static Answering denyAll() {
            return new Answering(Long.MAX_VALUE, r -> false);
        }

        static Answering denyIf(Predicate<PermissionRequest> deny) {
            return new Answering(Long.MAX_VALUE, r -> !deny.test(r));
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            if (initialRequest > 0) {
                s.request(initialRequest);
            }
        }

        @Override
        public void onNext(PermissionRequest r) {
            received.add(r);
            Boolean allow = policy.apply(r);
            if (allow != null) {
                if (allow) {
                    r.allow();
                } else {
                    r.deny();
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            done.complete(null);
        }
    }
}
