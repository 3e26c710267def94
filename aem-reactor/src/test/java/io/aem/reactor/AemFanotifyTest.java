package io.aem.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.fs.FanotifyMark;
import io.aem.linux.fs.FanotifyWatch;
import io.aem.linux.fs.FileAccessEvent;
import io.aem.linux.fs.FileEventKind;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.OpenFds;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

@ExtendWith(FdLeakCheck.class)
class AemFanotifyTest {
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
    void eachSubscriberGetsItsOwnGroupAndEventsArriveOnALoopThreadWithDemand(@TempDir Path dir) throws Exception {
        Map<Integer, String> before = OpenFds.snapshot();
        List<Thread> threads = new CopyOnWriteArrayList<>();
        Flux<FileAccessEvent> creates = aem.fanotify(FanotifyWatch.of(FanotifyMark.path(dir), FileEventKind.CREATE))
                .doOnNext(e -> threads.add(Thread.currentThread()));
        Path file = dir.resolve("made");
        StepVerifier.create(Flux.merge(creates.take(1), creates.take(1)), 0)
                .expectSubscription()
                .then(() -> awaitGroups(before, 2))
                .then(() -> create(file))
                .expectNoEvent(Duration.ofMillis(50))
                .thenRequest(2)
                .assertNext(e -> assertThat(e.path()).isEqualTo(file))
                .assertNext(e -> assertThat(e.pid()).isEqualTo((int) ProcessHandle.current().pid()))
                .verifyComplete();
        assertThat(threads).hasSize(2).allSatisfy(t -> assertThat(t).isInstanceOf(NonBlockingLoopThread.class));
        OpenFds.awaitClosedSince(before, "the completed fanotify fluxes", Duration.ofSeconds(5));
    }

    @Test
    void aMissingPathIsTheStreamsError(@TempDir Path dir) {
        StepVerifier.create(aem.fanotify(FanotifyWatch.of(FanotifyMark.path(dir.resolve("missing")), FileEventKind.OPEN)))
                .expectError(NoSuchFileException.class)
                .verify(Duration.ofSeconds(5));
    }

    private static void awaitGroups(Map<Integer, String> before, long n) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                OpenFds.openedSince(before).values().stream().filter("anon_inode:[fanotify]"::equals).count() == n);
    }

    private static void create(Path file) {
        try {
            Files.createFile(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
