package io.aem.linux.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.source.SourcePublisher;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.QueueingSubscriber;
import io.aem.linux.testing.ZombieCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The classic-tracepoint twins, forced with {@link BpfOptions#withClassicTracepoints}, on the real
 * kernel (root; tracefs is mounted by the loader when missing): each family's stream is
 * subscribed twice at once, once with the {@code tp_btf} programs and once with the classic ones,
 * and one operation of a child process (an exit with 42, a flock, a chmod) must arrive on both as
 * the same event, the kernel timestamp aside. (The fallback from a refused {@code tp_btf}
 * program to its twin is in {@link BpfObjectFallbackTest}.)
 */
@ExtendWith({FdLeakCheck.class, ZombieCheck.class})
class BpfClassicTracepointsTest {
    private static EventLoop loop;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        loop = EventLoop.open("bpf-classic-test");
    }

    @AfterAll
    static void stop() {
        loop.close();
    }

    /** A subscription and the source behind it, whose loaded programs can be asked for. */
    private record Watch<E>(BpfRecordSource<E> source, QueueingSubscriber<E> sub) {
        List<String> programs() throws Exception {
            CompletableFuture<List<String>> programs = new CompletableFuture<>();
            loop.execute(() -> programs.complete(source.programs()));
            return programs.get(BpfTesting.WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        void cancel() {
            sub.subscription.join().cancel();
        }
    }

    private static <E> Watch<E> watch(BpfObjectFile file, BpfOptions options, RecordDecoder<E> decoder) throws Exception {
        BpfRecordSource<E> source = new BpfRecordSource<>(file, options, decoder);
        return new Watch<>(source, BpfTesting.subscribe(loop, new SourcePublisher<>(loop, source), Long.MAX_VALUE));
    }

    /** The events up to and including the first matching {@code last}, within {@link BpfTesting#WAIT}. */
    private static <E> List<E> until(QueueingSubscriber<E> sub, Predicate<E> last) throws Exception {
        List<E> seen = new ArrayList<>();
        BpfTesting.next(sub, e -> {
            seen.add(e);
            return last.test(e);
        });
        return seen;
    }

    private static Process run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return p;
    }

    @Test
    void processExitsFromTheClassicTracepoint() throws Exception {
        BpfOptions options = BpfOptions.of(BpfFilter.childrenOf(BpfTesting.self()));
        Watch<ProcessExitEvent> btf = watch(BpfObjectFile.EXITS, options, BpfRecords.EXITS);
        Watch<ProcessExitEvent> classic = watch(BpfObjectFile.EXITS, options.withClassicTracepoints(true), BpfRecords.EXITS);
        assertThat(btf.programs()).containsExactly("aem_process_exit");
        assertThat(classic.programs()).containsExactly("aem_process_exit_classic");

        Process child = run("sh", "-c", "exit 42");
        assertThat(child.exitValue()).isEqualTo(42);
        Predicate<ProcessExitEvent> ours = e -> e instanceof ProcessExitEvent.Exited x && x.pid() == child.pid();
        ProcessExitEvent.Exited fromClassic = (ProcessExitEvent.Exited) BpfTesting.next(classic.sub(), ours);
        ProcessExitEvent.Exited fromBtf = (ProcessExitEvent.Exited) BpfTesting.next(btf.sub(), ours);
        assertThat(fromClassic.exitCode()).isEqualTo(42);
        assertThat(fromClassic.exitedNormally()).isTrue();
        assertThat(fromClassic.parentPid()).isEqualTo(BpfTesting.self());
        assertThat(fromClassic.command()).isEqualTo("sh");
        assertThat(fromClassic).usingRecursiveComparison().ignoringFields("timestampNanos").isEqualTo(fromBtf);
        assertThat(fromClassic.timestampNanos()).isPositive();
        classic.cancel();
        btf.cancel();
    }

    @Test
    void fileLocksFromTheClassicTracepoints() throws Exception {
        Path file = Files.createFile(dir.resolve("flocked"));
        FileId id = new FileId(((Number) Files.getAttribute(file, "unix:dev")).longValue(),
                ((Number) Files.getAttribute(file, "unix:ino")).longValue());
        BpfOptions options = BpfOptions.of(BpfFilter.childrenOf(BpfTesting.self()).withFiles(List.of(id)));
        Watch<FileLockEvent> btf = watch(BpfObjectFile.LOCKS, options, BpfRecords.LOCKS);
        Watch<FileLockEvent> classic = watch(BpfObjectFile.LOCKS, options.withClassicTracepoints(true), BpfRecords.LOCKS);
        assertThat(btf.programs()).containsExactly("aem_flock_lock_inode", "aem_posix_lock_inode");
        assertThat(classic.programs()).containsExactly("aem_flock_lock_inode_classic", "aem_posix_lock_inode_classic");

        Process p = run("flock", "--exclusive", file.toString(), "true");
        assertThat(p.exitValue()).isZero();
        Predicate<FileLockEvent> unlock = e -> e instanceof FileLockEvent.LockOperation l && l.pid() == p.pid()
                && l.type() == LockType.UNLOCK;
        List<FileLockEvent> fromClassic = until(classic.sub(), unlock);
        List<FileLockEvent> fromBtf = until(btf.sub(), unlock);
        assertThat(fromClassic).first().isInstanceOfSatisfying(FileLockEvent.LockOperation.class, lock -> {
            assertThat(lock.pid()).isEqualTo((int) p.pid());
            assertThat(lock.type()).isEqualTo(LockType.WRITE);
            assertThat(lock.kind()).isEqualTo(LockKind.FLOCK);
            assertThat(lock.granted()).isTrue();
            assertThat(lock.file()).isEqualTo(id);
        });
        assertThat(fromClassic).hasSize(fromBtf.size()).hasSizeGreaterThanOrEqualTo(2);
        for (int i = 0; i < fromBtf.size(); i++) {
            assertThat(fromClassic.get(i)).as("event " + i)
                    .usingRecursiveComparison().ignoringFields("timestampNanos").isEqualTo(fromBtf.get(i));
        }
        classic.cancel();
        btf.cancel();
    }

    @Test
    void attributeChangesFromTheClassicTracepoints() throws Exception {
        Path file = Files.createFile(dir.resolve("target"));
        BpfOptions options = BpfOptions.of(BpfFilter.childrenOf(BpfTesting.self()));
        Watch<AttributeChangeEvent> btf = watch(BpfObjectFile.ATTRIBUTES, options, BpfRecords.ATTRIBUTES);
        Watch<AttributeChangeEvent> classic = watch(BpfObjectFile.ATTRIBUTES, options.withClassicTracepoints(true),
                BpfRecords.ATTRIBUTES);
        assertThat(btf.programs()).containsExactly("aem_sys_enter", "aem_sys_exit");
        assertThat(classic.programs()).containsExactly("aem_sys_enter_classic", "aem_sys_exit_classic");

        Process p = run(BpfTesting.python3(), "-c", "import os, sys\nos.chmod(sys.argv[1], 0o640)\n", file.toString());
        assertThat(p.exitValue()).isZero();
        Predicate<AttributeChangeEvent> chmod = e -> e instanceof AttributeChangeEvent.Change c && c.pid() == p.pid();
        AttributeChangeEvent.Change fromClassic = (AttributeChangeEvent.Change) BpfTesting.next(classic.sub(), chmod);
        AttributeChangeEvent.Change fromBtf = (AttributeChangeEvent.Change) BpfTesting.next(btf.sub(), chmod);
        assertThat(fromClassic.call()).isIn(AttributeCall.CHMOD, AttributeCall.FCHMODAT, AttributeCall.FCHMODAT2);
        assertThat(fromClassic.newMode()).contains(0640);
        assertThat(fromClassic.succeeded()).isTrue();
        assertThat(fromClassic.path()).isEqualTo(file.toString());
        assertThat(fromClassic).usingRecursiveComparison().ignoringFields("timestampNanos").isEqualTo(fromBtf);
        assertThat(Files.getPosixFilePermissions(file))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        classic.cancel();
        btf.cancel();
    }
}
