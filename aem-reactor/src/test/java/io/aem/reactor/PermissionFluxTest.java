package io.aem.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.fs.FanotifyMark;
import io.aem.linux.fs.PermissionKind;
import io.aem.linux.fs.PermissionRequest;
import io.aem.linux.fs.PermissionSource;
import io.aem.linux.fs.PermissionStats;
import io.aem.linux.fs.PermissionWatch;
import io.aem.linux.source.SourcePublisher;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.LoopProbe;
import io.aem.linux.testing.OpenFds;
import io.aem.linux.testing.TimedChild;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * {@link Aem#permissions} against the real kernel; every access to the marked directory comes from
 * a child process.
 */
@ExtendWith(FdLeakCheck.class)
class PermissionFluxTest {
    /** The fds open before each test: the groups it opened must be closed after it. */
    private Map<Integer, String> fdsBefore;
    private static final String CONTENT = "flux-marked\n";
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static Aem aem;
    private Path dir;
    private Path file;
    private final List<Disposable> subscriptions = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        aem = Aem.create(2);
    }

    @AfterAll
    static void stop() {
        aem.close();
    }

    @BeforeEach
    void makeFiles() throws IOException {
        fdsBefore = OpenFds.snapshot();
        dir = Files.createTempDirectory("aem-permission-flux-");
        file = dir.resolve("marked.txt");
        Files.writeString(file, CONTENT);
    }

    @AfterEach
    void cleanUp() throws IOException {
        subscriptions.forEach(Disposable::dispose);
        await().atMost(BOUND).until(() -> OpenFds.countAnonSince(fdsBefore, "[fanotify]") == 0);
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Subscribes and returns once the marks are placed (the loop ran the subscription's open). */
    private void subscribe(Flux<PermissionRequest> flux, java.util.function.Consumer<PermissionRequest> onNext) {
        subscriptions.add(flux.subscribe(onNext));
        aem.loops().forEach(LoopProbe::drainTasks);
    }

    @Test
    void aFluxSubscriberDeniesAnOpenOfAnotherProcess() throws Exception {
        PermissionSource source = new PermissionSource(PermissionWatch.opens(FanotifyMark.path(dir)));
        subscribe(aem.permissions(source), PermissionRequest::deny);
        try (TimedChild cat = TimedChild.start("/bin/cat", file.toString())) {
            TimedChild.Outcome o = cat.await(BOUND);
            assertThat(o.exitCode()).isNotZero();
            assertThat(o.stderr()).contains("Operation not permitted");
        }
        assertThat(source.stats()).isEqualTo(new PermissionStats(1, 0, 1, 0, 0, 0, 0));
    }

    @Test
    void requestsAreAnsweredAfterPublishOnFromAWorkerThread() throws Exception {
        List<Thread> answeredOn = new CopyOnWriteArrayList<>();
        Flux<PermissionRequest> decided = aem.permissions(PermissionWatch.opens(FanotifyMark.path(dir)))
                .publishOn(Schedulers.boundedElastic())
                .doOnNext(r -> {
                    answeredOn.add(Thread.currentThread());
                    r.allow();
                });
        subscribe(decided, r -> { });
        try (TimedChild cat = TimedChild.start("/bin/cat", file.toString())) {
            assertThat(cat.await(BOUND).stdout()).isEqualTo(CONTENT);
        }
        assertThat(answeredOn).singleElement().isNotInstanceOf(NonBlockingLoopThread.class);
    }

    @Test
    void takeCancelsAndAllowsWhatTheStreamStillHeld() throws Exception {
        PermissionSource source = new PermissionSource(PermissionWatch.opens(FanotifyMark.path(dir))
                .withDeadline(Duration.ofSeconds(30)));
        // Requests pass through unanswered; the second one is never taken.
        List<PermissionRequest> seen = new CopyOnWriteArrayList<>();
        Flux<PermissionRequest> firstOnly = aem.permissions(source).doOnNext(seen::add).take(2);
        subscribe(firstOnly, r -> { });
        try (TimedChild first = TimedChild.start("/bin/cat", file.toString())) {
            await().atMost(BOUND).until(() -> seen.size() == 1);
            assertThat(first.isAlive()).isTrue();
            try (TimedChild second = TimedChild.start("/bin/cat", file.toString())) {
                // take(2) cancels after the second request: both are allowed by the end of the subscription.
                assertThat(second.await(Duration.ofSeconds(5)).stdout()).isEqualTo(CONTENT);
            }
            assertThat(first.await(Duration.ofSeconds(5)).stdout()).isEqualTo(CONTENT);
        }
        assertThat(source.stats().allowedAtEnd()).isEqualTo(2);
    }

    @Test
    void withoutDemandAnExecIsStillAllowedAtTheDeadline() throws Exception {
        Path tool = dir.resolve("true");
        Files.copy(Path.of("/bin/true"), tool, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        Duration deadline = Duration.ofMillis(200);
        PermissionSource source = new PermissionSource(PermissionWatch.opens(FanotifyMark.path(dir))
                .withKinds(PermissionKind.OPEN_EXEC).withDeadline(deadline));
        reactor.test.StepVerifier.create(aem.permissions(source), 0)
                .expectSubscription()
                .then(() -> aem.loops().forEach(LoopProbe::drainTasks))
                .then(() -> {
                    try (TimedChild sh = TimedChild.start("/bin/sh", "-c", tool.toString())) {
                        TimedChild.Outcome o = sh.await(BOUND);
                        assertThat(o.exitCode()).isZero();
                        assertThat(o.elapsed()).isGreaterThanOrEqualTo(deadline);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                })
                .thenCancel()
                .verify(BOUND);
        assertThat(source.stats().allowedAtDeadline()).isEqualTo(1);
    }

    @Test
    void theFlowPublisherFaceServesPlainSubscribers() throws Exception {
        Flow.Publisher<PermissionRequest> publisher = aem.publisher(new PermissionSource(PermissionWatch.opens(FanotifyMark.path(dir))));
        assertThat(publisher).isInstanceOf(SourcePublisher.class);
        AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
        publisher.subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription.set(s);
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(PermissionRequest r) {
                r.deny();
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onComplete() {
            }
        });
        subscriptions.add(() -> subscription.get().cancel());
        aem.loops().forEach(LoopProbe::drainTasks);
        try (TimedChild cat = TimedChild.start("/bin/cat", file.toString())) {
            assertThat(cat.await(BOUND).stderr()).contains("Operation not permitted");
        }
    }
}
