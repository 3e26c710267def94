package io.aem.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.fs.FileEvent;
import io.aem.linux.fs.FileEventKind;
import io.aem.linux.fs.FileWatch;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.OpenFds;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

@ExtendWith(FdLeakCheck.class)
class AemWatchTest {
    private static Aem aem;

    @BeforeAll
    static void start() {
        aem = Aem.create(2);
    }

    @AfterAll
    static void stop() {
        aem.close();
    }

    @Test
    void aTreeIsListedThenLiveEventsArriveOnTheLoopThreadAndCancelClosesTheInotifyFd(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("a/b"));
        Map<Integer, String> before = OpenFds.snapshot();
        AtomicReference<Thread> thread = new AtomicReference<>();
        StepVerifier.create(aem.watch(FileWatch.tree(dir).withKinds(FileEventKind.CREATE).withExistingListed(true))
                        .doOnNext(e -> thread.set(Thread.currentThread())))
                .expectNext(FileEvent.of(FileEventKind.EXISTING, dir.resolve("a"), true))
                .expectNext(FileEvent.of(FileEventKind.EXISTING, dir.resolve("a/b"), true))
                .expectNext(FileEvent.of(FileEventKind.LISTING_DONE, dir, true))
                .then(() -> {
                    assertThat(OpenFds.countAnonSince(before, "inotify")).isEqualTo(1);
                    createFile(dir.resolve("a/b/new"));
                })
                .expectNext(FileEvent.of(FileEventKind.CREATE, dir.resolve("a/b/new"), false))
                .thenCancel()
                .verify(Duration.ofSeconds(10));
        assertThat(thread.get()).isInstanceOf(NonBlockingLoopThread.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> OpenFds.countAnonSince(before, "inotify") == 0);
    }

    @Test
    void requestIsReadDemand(@TempDir Path dir) {
        Flux<FileEvent> creates = aem.watch(FileWatch.directory(dir).withKinds(FileEventKind.CREATE).withExistingListed(true))
                .filter(e -> e.kind() != FileEventKind.LISTING_DONE);
        Map<Integer, String> before = OpenFds.snapshot();
        StepVerifier.create(creates, 1)
                .then(() -> await().atMost(Duration.ofSeconds(5)).until(() -> OpenFds.countAnonSince(before, "inotify") == 1))
                .then(() -> {
                    createFile(dir.resolve("one"));
                    createFile(dir.resolve("two"));
                })
                .expectNext(FileEvent.of(FileEventKind.CREATE, dir.resolve("one"), false))
                .expectNoEvent(Duration.ofMillis(100))
                .thenRequest(1)
                .expectNext(FileEvent.of(FileEventKind.CREATE, dir.resolve("two"), false))
                .thenCancel()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void theFluxIsColdEachSubscriberHasItsOwnInotifyInstance(@TempDir Path dir) {
        Flux<FileEvent> watch = aem.watch(FileWatch.directory(dir).withKinds(FileEventKind.CREATE).withExistingListed(true));
        Map<Integer, String> before = OpenFds.snapshot();
        List<FileEvent> first = new CopyOnWriteArrayList<>();
        List<FileEvent> second = new CopyOnWriteArrayList<>();
        Disposable a = watch.subscribe(first::add);
        Disposable b = watch.subscribe(second::add);
        await().atMost(Duration.ofSeconds(5)).until(() -> first.size() == 1 && second.size() == 1); // LISTING_DONE each
        assertThat(OpenFds.countAnonSince(before, "inotify")).isEqualTo(2);
        createFile(dir.resolve("f"));
        FileEvent created = FileEvent.of(FileEventKind.CREATE, dir.resolve("f"), false);
        await().atMost(Duration.ofSeconds(5)).until(() -> first.contains(created) && second.contains(created));
        a.dispose();
        b.dispose();
        await().atMost(Duration.ofSeconds(5)).until(() -> OpenFds.countAnonSince(before, "inotify") == 0);
    }

    @Test
    void aMissingPathFailsTheStreamBeforeAnyEvent(@TempDir Path dir) {
        StepVerifier.create(aem.watch(FileWatch.tree(dir.resolve("missing"))))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(NoSuchFileException.class)
                        .hasMessageContaining("create it first"))
                .verify(Duration.ofSeconds(10));
    }

    private static void createFile(Path p) {
        try {
            Files.createFile(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
