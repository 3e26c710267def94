package io.aem.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.OpenFds;
import io.aem.linux.testing.RecordingSubscriber;
import io.aem.linux.testing.TimedChild;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Permission decisions against the real kernel. Every access to a marked file comes from a child
 * process; this JVM never touches one.
 */
@ExtendWith(FdLeakCheck.class)
class PermissionSourceTest {
    private static final Duration CHILD_BOUND = Duration.ofSeconds(10);
    private static final Duration SHORT_DEADLINE = Duration.ofMillis(200);
    private static EventLoop loop;
    private PermissionTestSupport t;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("permission-test");
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    @BeforeEach
    void makeFiles() throws Exception {
        t = new PermissionTestSupport();
    }

    @AfterEach
    void release() {
        t.close();
    }

    private PermissionWatch opens() {
        return PermissionWatch.opens(FanotifyMark.path(t.dir));
    }

    @Test
    void aDeniedOpenFailsInTheOtherProcessWithOperationNotPermitted() throws Exception {
        PermissionSource source = new PermissionSource(opens());
        t.subscribe(loop, source, PermissionTestSupport.Answering.denyAll());
        try (TimedChild cat = TimedChild.start("/bin/cat", t.file.toString())) {
            TimedChild.Outcome o = cat.await(CHILD_BOUND);
            assertThat(o.exitCode()).isNotZero();
            assertThat(o.stderr()).contains("Operation not permitted");
            assertThat(o.stdout()).isEmpty();
        }
        assertThat(source.stats()).isEqualTo(new PermissionStats(1, 0, 1, 0, 0, 0, 0));
    }

    @Test
    void anAllowedOpenLetsTheOtherProcessReadTheFile() throws Exception {
        PermissionSource source = new PermissionSource(opens());
        t.subscribe(loop, source, PermissionTestSupport.Answering.allowAll());
        try (TimedChild cat = TimedChild.start("/bin/cat", t.file.toString())) {
            TimedChild.Outcome o = cat.await(CHILD_BOUND);
            assertThat(o.exitCode()).isZero();
            assertThat(o.stdout()).isEqualTo(PermissionTestSupport.CONTENT);
        }
        assertThat(source.stats().allowed()).isEqualTo(1);
    }

    @Test
    void theRequestNamesTheFileTheActingProcessAndItsExecutable() throws Exception {
        RecordingSubscriber<PermissionRequest> sub = t.subscribe(loop, new PermissionSource(opens()),
                new RecordingSubscriber<>(Long.MAX_VALUE));
        try (TimedChild cat = TimedChild.start("/bin/cat", t.file.toString())) {
            await().atMost(CHILD_BOUND).until(() -> sub.items.size() == 1);
            PermissionRequest r = sub.items.get(0);
            assertThat(r.kind()).isEqualTo(PermissionKind.OPEN);
            assertThat(r.path()).isEqualTo(t.file.toRealPath());
            assertThat(r.isDirectory()).isFalse();
            assertThat(r.pid()).isEqualTo(cat.pid());
            assertThat(r.executable()).contains(Path.of("/bin/cat").toRealPath());
            assertThat(Duration.between(r.arrival(), r.deadline())).isEqualTo(PermissionWatch.DEFAULT_DEADLINE);
            assertThat(r.remaining()).isPositive().isLessThanOrEqualTo(PermissionWatch.DEFAULT_DEADLINE);
            assertThat(r.isAnswered()).isFalse();
            assertThat(sub.threads).containsOnly("permission-test");
            assertThat(r.allow()).isTrue();
            assertThat(cat.await(CHILD_BOUND).stdout()).isEqualTo(PermissionTestSupport.CONTENT);
        }
    }

    @Test
    void anUnansweredRequestIsAllowedAtItsDeadlineAndCounted() throws Exception {
        PermissionSource source = new PermissionSource(opens().withDeadline(SHORT_DEADLINE));
        RecordingSubscriber<PermissionRequest> sub = t.subscribe(loop, source, new RecordingSubscriber<>(Long.MAX_VALUE));
        try (TimedChild cat = TimedChild.start("/bin/cat", t.file.toString())) {
            TimedChild.Outcome o = cat.await(CHILD_BOUND);
            assertThat(o.exitCode()).isZero();
            assertThat(o.stdout()).isEqualTo(PermissionTestSupport.CONTENT);
            assertThat(o.elapsed()).isGreaterThanOrEqualTo(SHORT_DEADLINE);
        }
        assertThat(sub.items).hasSize(1);
        PermissionRequest r = sub.items.get(0);
        assertThat(r.isAnswered()).isTrue();
        assertThat(r.deny()).as("an answer after the deadline").isFalse();
        assertThat(source.stats()).isEqualTo(new PermissionStats(1, 0, 0, 1, 0, 0, 0));
    }

    @Test
    void withoutDemandTheOtherProcessStillCompletesWithinAboutTheDeadline() throws Exception {
        PermissionSource source = new PermissionSource(opens().withDeadline(SHORT_DEADLINE));
        RecordingSubscriber<PermissionRequest> sub = t.subscribe(loop, source, new RecordingSubscriber<>(0));
        try (TimedChild cat = TimedChild.start("/bin/cat", t.file.toString())) {
            TimedChild.Outcome o = cat.await(CHILD_BOUND);
            assertThat(o.exitCode()).isZero();
            assertThat(o.elapsed()).isBetween(SHORT_DEADLINE, SHORT_DEADLINE.plusSeconds(3));
        }
        assertThat(sub.items).isEmpty();
        assertThat(source.stats().allowedAtDeadline()).isEqualTo(1);
        // Demand that comes after the deadline finds nothing: the request was allowed and dropped.
        sub.request(1);
        await().pollDelay(Duration.ofMillis(50)).atMost(Duration.ofSeconds(1)).until(() -> true);
        assertThat(sub.items).isEmpty();
    }

    @Test
    void demandReturningBeforeTheDeadlineDeliversWhatArrivedMeanwhile() throws Exception {
        PermissionSource source = new PermissionSource(opens().withDeadline(Duration.ofSeconds(20)));
        RecordingSubscriber<PermissionRequest> sub = t.subscribe(loop, source, new RecordingSubscriber<>(0));
        try (TimedChild cat = TimedChild.start("/bin/cat", t.file.toString())) {
            await().atMost(CHILD_BOUND).until(() -> source.stats().received() == 1);
            assertThat(cat.isAlive()).as("the child waits for a decision").isTrue();
            assertThat(sub.items).isEmpty();
            sub.request(1);
            await().atMost(CHILD_BOUND).until(() -> sub.items.size() == 1);
            assertThat(sub.items.get(0).deny()).isTrue();
            TimedChild.Outcome o = cat.await(CHILD_BOUND);
            assertThat(o.stderr()).contains("Operation not permitted");
            assertThat(o.elapsed()).isLessThan(Duration.ofSeconds(15));
        }
    }

    @Test
    void withDemandTheLoopReadsTheRequestsItselfAndWithoutDemandTheKeeperDoes() throws Exception {
        PermissionSource source = new PermissionSource(opens());
        t.subscribe(loop, source, PermissionTestSupport.Answering.allowAll());
        for (int i = 0; i < 5; i++) {
            try (TimedChild cat = TimedChild.start("/bin/cat", t.file.toString())) {
                assertThat(cat.await(CHILD_BOUND).stdout()).isEqualTo(PermissionTestSupport.CONTENT);
            }
        }
        assertThat(source.stats().received()).isEqualTo(5);
        assertThat(source.stats().allowed()).isEqualTo(5);
        // The keeper reads only if the loop leaves the group readable for the hand-over grace (5 ms),
        // which an idle loop does not; a machine stalled that long may still hand one over.
        assertThat(source.readByLoop()).isGreaterThanOrEqualTo(3);
        assertThat(source.readByLoop() + source.readByKeeper()).isEqualTo(5);
        t.cancelAll();

        PermissionSource noDemand = new PermissionSource(opens().withDeadline(SHORT_DEADLINE));
        t.subscribe(loop, noDemand, new RecordingSubscriber<>(0));
        try (TimedChild cat = TimedChild.start("/bin/cat", t.file.toString())) {
            assertThat(cat.await(CHILD_BOUND).exitCode()).isZero();
        }
        assertThat(noDemand.stats().allowedAtDeadline()).isEqualTo(1);
        assertThat(noDemand.readByLoop()).isZero();
        assertThat(noDemand.readByKeeper()).isEqualTo(1);
    }

    @Test
    void anyThreadMayAnswerAndOnlyTheFirstAnswerCounts() throws Exception {
        PermissionSource source = new PermissionSource(opens());
        RecordingSubscriber<PermissionRequest> sub = t.subscribe(loop, source, new RecordingSubscriber<>(Long.MAX_VALUE));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (TimedChild cat = TimedChild.start("/bin/cat", t.file.toString())) {
            await().atMost(CHILD_BOUND).until(() -> sub.items.size() == 1);
            PermissionRequest r = sub.items.get(0);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                boolean allow = i % 2 == 0;
                answers.add(pool.submit(() -> {
                    go.await();
                    return allow ? r.allow() : r.deny();
                }));
            }
            go.countDown();
            int winners = 0;
            boolean allowedWon = false;
            for (int i = 0; i < answers.size(); i++) {
                if (answers.get(i).get(10, TimeUnit.SECONDS)) {
                    winners++;
                    allowedWon = i % 2 == 0;
                }
            }
            assertThat(winners).isEqualTo(1);
            assertThat(r.isAnswered()).isTrue();
            TimedChild.Outcome o = cat.await(CHILD_BOUND);
            assertThat(o.exitCode() == 0).isEqualTo(allowedWon);
            PermissionStats s = source.stats();
            assertThat(s.allowed() + s.denied()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void readsAreDecidedWithAccessRequests() throws Exception {
        PermissionWatch reads = opens().withKinds(PermissionKind.ACCESS);
        PermissionSource denying = new PermissionSource(reads);
        t.subscribe(loop, denying, PermissionTestSupport.Answering.denyAll());
        try (TimedChild cat = TimedChild.start("/bin/cat", t.file.toString())) {
            TimedChild.Outcome o = cat.await(CHILD_BOUND);
            assertThat(o.exitCode()).isNotZero();
            assertThat(o.stderr()).contains("Operation not permitted");
        }
        assertThat(denying.stats().denied()).isPositive();
        assertThat(denying.stats().received()).isEqualTo(denying.stats().denied());
    }

    @Test
    void aDeniedExecFailsWithExitStatus126AndAnAllowedOneRuns() throws Exception {
        Path tool = t.dir.resolve("true");
        java.nio.file.Files.copy(Path.of("/bin/true"), tool, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        java.util.concurrent.atomic.AtomicBoolean deny = new java.util.concurrent.atomic.AtomicBoolean(true);
        PermissionTestSupport.Answering sub = new PermissionTestSupport.Answering(Long.MAX_VALUE, r -> !deny.get());
        t.subscribe(loop, new PermissionSource(opens().withKinds(PermissionKind.OPEN_EXEC)), sub);
        try (TimedChild sh = TimedChild.start("/bin/sh", "-c", tool.toString())) {
            TimedChild.Outcome o = sh.await(CHILD_BOUND);
            assertThat(o.exitCode()).isEqualTo(126);
            assertThat(o.stderr()).contains("not permitted");
        }
        assertThat(sub.received).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(PermissionKind.OPEN_EXEC);
            assertThat(r.path()).isEqualTo(tool.toRealPath());
        });
        deny.set(false);
        try (TimedChild sh = TimedChild.start("/bin/sh", "-c", tool + " && echo ran")) {
            TimedChild.Outcome o = sh.await(CHILD_BOUND);
            assertThat(o.exitCode()).isZero();
            assertThat(o.stdout()).isEqualTo("ran\n");
        }
    }

    @Test
    void eachSubscriptionIsAskedInTurnAndOneDenialIsEnough() throws Exception {
        PermissionSource source = new PermissionSource(opens());
        PermissionTestSupport.Answering allowing = t.subscribe(loop, source, PermissionTestSupport.Answering.allowAll());
        PermissionTestSupport.Answering denying = t.subscribe(loop, source, PermissionTestSupport.Answering.denyAll());
        try (TimedChild cat = TimedChild.start("/bin/cat", t.file.toString())) {
            assertThat(cat.await(CHILD_BOUND).stderr()).contains("Operation not permitted");
        }
        // The kernel asks the groups one after the other and stops at the first denial.
        assertThat(denying.received).hasSize(1);
        assertThat(allowing.received).hasSizeLessThanOrEqualTo(1);
        PermissionStats s = source.stats();
        assertThat(s.denied()).isEqualTo(1);
        assertThat(s.allowed()).isEqualTo(allowing.received.size());
        assertThat(s.received()).isEqualTo(1 + allowing.received.size());
        assertThat(s.pending()).isZero();
        try (TimedChild cat = TimedChild.start("/bin/cat", t.file.toString())) {
            assertThat(cat.await(CHILD_BOUND).exitCode()).isNotZero();
        }
    }

    @Test
    void directoriesAreAskedOnlyWhenIncluded() throws Exception {
        PermissionSource filesOnly = new PermissionSource(opens());
        t.subscribe(loop, filesOnly, PermissionTestSupport.Answering.denyAll());
        try (TimedChild ls = TimedChild.start("/bin/ls", t.dir.toString())) {
            TimedChild.Outcome o = ls.await(CHILD_BOUND);
            assertThat(o.exitCode()).isZero();
            assertThat(o.stdout()).contains("marked.txt");
        }
        assertThat(filesOnly.stats().received()).isZero();

        PermissionSource withDirectories = new PermissionSource(opens().withDirectories(true));
        PermissionTestSupport.Answering sub = t.subscribe(loop, withDirectories,
                PermissionTestSupport.Answering.denyIf(PermissionRequest::isDirectory));
        try (TimedChild ls = TimedChild.start("/bin/ls", t.dir.toString())) {
            TimedChild.Outcome o = ls.await(CHILD_BOUND);
            assertThat(o.exitCode()).isNotZero();
            assertThat(o.stderr()).contains("Operation not permitted");
        }
        assertThat(sub.received).first().satisfies(r -> {
            assertThat(r.isDirectory()).isTrue();
            assertThat(r.path()).isEqualTo(t.dir.toRealPath());
        });
    }

    @Test
    void aMarkOnOneFileDecidesForThatFileOnly() throws Exception {
        java.nio.file.Files.writeString(t.dir.resolve("other.txt"), "other\n");
        PermissionSource source = new PermissionSource(PermissionWatch.opens(FanotifyMark.path(t.file)));
        t.subscribe(loop, source, PermissionTestSupport.Answering.denyAll());
        try (TimedChild cat = TimedChild.start("/bin/cat", t.dir.resolve("other.txt").toString())) {
            assertThat(cat.await(CHILD_BOUND).stdout()).isEqualTo("other\n");
        }
        try (TimedChild cat = TimedChild.start("/bin/cat", t.file.toString())) {
            assertThat(cat.await(CHILD_BOUND).stderr()).contains("Operation not permitted");
        }
        assertThat(source.stats().received()).isEqualTo(1);
    }

    @Test
    void answeredRequestsLeaveNoFdOfTheFileOpen() throws Exception {
        PermissionSource source = new PermissionSource(opens().withKinds(PermissionKind.OPEN, PermissionKind.ACCESS));
        t.subscribe(loop, source, PermissionTestSupport.Answering.allowAll());
        for (int i = 0; i < 5; i++) {
            try (TimedChild cat = TimedChild.start("/bin/cat", t.file.toString())) {
                assertThat(cat.await(CHILD_BOUND).exitCode()).isZero();
            }
        }
        String dir = t.dir.toRealPath().toString();
        // Each answering thread closes the event fd right after writing the answer the child waits for.
        await().atMost(CHILD_BOUND).untilAsserted(() ->
                assertThat(OpenFds.snapshot().values()).noneMatch(target -> target.startsWith(dir)));
        assertThat(source.stats().received()).isGreaterThanOrEqualTo(10);
        assertThat(source.stats().pending()).isZero();
    }

    @Test
    void oneKeeperThreadServesEverySubscriptionAndEndsAfterTheLast() throws Exception {
        await().atMost(CHILD_BOUND).until(() -> PermissionTestSupport.keeperThreads() == 0);
        RecordingSubscriber<PermissionRequest> a = t.subscribe(loop, new PermissionSource(opens()), new RecordingSubscriber<>(1));
        try (EventLoop second = EventLoop.open("permission-test-2")) {
            RecordingSubscriber<PermissionRequest> b = t.subscribe(second, new PermissionSource(opens()), new RecordingSubscriber<>(1));
            assertThat(PermissionTestSupport.keeperThreads()).isEqualTo(1);
            a.cancel();
            b.cancel();
            await().atMost(CHILD_BOUND).until(() -> PermissionTestSupport.keeperThreads() == 0);
        }
        RecordingSubscriber<PermissionRequest> c = t.subscribe(loop, new PermissionSource(opens()), new RecordingSubscriber<>(1));
        assertThat(PermissionTestSupport.keeperThreads()).as("a new keeper for a new subscription").isEqualTo(1);
        c.cancel();
    }

    @Test
    void aMarkOnAMissingPathFailsWithNoSuchFileExceptionAndReleasesTheGroup() throws Exception {
        Path missing = t.dir.resolve("missing");
        Map<Integer, String> groupsBefore = OpenFds.snapshot();
        RecordingSubscriber<PermissionRequest> sub = t.subscribe(loop,
                new PermissionSource(PermissionWatch.opens(FanotifyMark.path(t.dir), FanotifyMark.path(missing))),
                new RecordingSubscriber<>(1));
        await().atMost(CHILD_BOUND).until(sub.done::isDone);
        assertThat(sub.error()).isInstanceOf(java.nio.file.NoSuchFileException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("must exist")
                .hasCauseInstanceOf(io.aem.linux.KernelException.class);
        assertThat(OpenFds.countAnonSince(groupsBefore, "[fanotify]")).isZero();
        try (TimedChild cat = TimedChild.start("/bin/cat", t.file.toString())) {
            assertThat(cat.await(CHILD_BOUND).stdout()).as("the first mark went with its group").isEqualTo(PermissionTestSupport.CONTENT);
        }
    }

    /**
     * Mount and filesystem marks, on the tmpfs at {@code /dev/shm} so that they do not cover this
     * JVM's own files. Other processes of the machine may use that mount meanwhile: only the test's
     * file is denied, and everything else is allowed at once.
     */
    @Test
    void mountAndFilesystemMarksCoverEveryFileOfTheirMount() throws Exception {
        Path shm = java.nio.file.Files.createTempDirectory(Path.of("/dev/shm"), "aem-permission-");
        try {
            Path elsewhere = shm.resolve("on-the-mount.txt");
            java.nio.file.Files.writeString(elsewhere, "shm\n");
            Path real = elsewhere.toRealPath();
            for (FanotifyMark mark : List.of(FanotifyMark.mount(shm), FanotifyMark.filesystem(shm))) {
                PermissionSource source = new PermissionSource(PermissionWatch.opens(mark).withDeadline(SHORT_DEADLINE));
                PermissionTestSupport.Answering decide = t.subscribe(loop, source,
                        PermissionTestSupport.Answering.denyIf(r -> r.path().equals(real)));
                try (TimedChild cat = TimedChild.start("/bin/cat", elsewhere.toString())) {
                    assertThat(cat.await(CHILD_BOUND).stderr()).as(mark.scope().toString()).contains("Operation not permitted");
                }
                assertThat(decide.received).anyMatch(r -> r.path().equals(real));
                t.cancelAll();
            }
        } finally {
            t.cancelAll();
            try (java.util.stream.Stream<Path> paths = java.nio.file.Files.walk(shm)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.delete(p);
                }
            }
        }
    }

    @Test
    void withoutCapSysAdminTheStreamFailsWithMissingPrivilege() throws Exception {
        try (EventLoop unprivileged = EventLoop.open(io.aem.linux.loop.EventLoopOptions.defaults().withName("no-sys-admin")
                .withThreadFactory(io.aem.linux.testing.ThreadCapabilities.factoryWithout(PermissionTestSupport.CAP_SYS_ADMIN,
                        "no-sys-admin")))) {
            RecordingSubscriber<PermissionRequest> sub = t.subscribe(unprivileged, new PermissionSource(opens()),
                    new RecordingSubscriber<>(1));
            await().atMost(CHILD_BOUND).until(sub.done::isDone);
            assertThat(sub.error()).isInstanceOf(io.aem.linux.MissingPrivilegeException.class)
                    .hasMessageContaining("CAP_SYS_ADMIN");
            assertThat(((io.aem.linux.MissingPrivilegeException) sub.error()).privilege()).isEqualTo("CAP_SYS_ADMIN");
        }
    }

    @Test
    void theSourceNameSaysWhatItDecides() {
        PermissionSource source = new PermissionSource(opens().withKinds(PermissionKind.OPEN, PermissionKind.OPEN_EXEC)
                .withDeadline(Duration.ofMillis(300)).withDirectories(true));
        assertThat(source.name()).contains("OPEN").contains("OPEN_EXEC").contains(t.dir.toString())
                .contains("with directories").contains("PT0.3S");
        assertThat(source.watch().kinds()).isEqualTo(EnumSet.of(PermissionKind.OPEN, PermissionKind.OPEN_EXEC));
    }
}
