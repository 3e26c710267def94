package io.aem.linux.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.QueueingSubscriber;
import io.aem.linux.testing.ZombieCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * flock, POSIX and OFD locks taken and released by child processes ({@code flock(1)} and
 * {@code python3}), seen by {@code tp_btf/flock_lock_inode} and {@code tp_btf/posix_lock_inode}
 * with the child's pid, the file's device and inode, the type and range, and the kernel's answer.
 */
@ExtendWith({FdLeakCheck.class, ZombieCheck.class})
class BpfFileLocksTest {
    private static EventLoop loop;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        loop = EventLoop.open("bpf-locks-test");
    }

    @AfterAll
    static void stop() {
        loop.close();
    }

    private static FileId idOf(Path file) throws Exception {
        return new FileId(((Number) Files.getAttribute(file, "unix:dev")).longValue(),
                ((Number) Files.getAttribute(file, "unix:ino")).longValue());
    }

    private QueueingSubscriber<FileLockEvent> watch(Path file) throws Exception {
        BpfFilter filter = BpfFilter.childrenOf(BpfTesting.self()).withFiles(List.of(idOf(file)));
        return BpfTesting.subscribe(loop, BpfStreams.fileLocks(loop, BpfOptions.of(filter)), Long.MAX_VALUE);
    }

    private static Process run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
        return p;
    }

    private static FileLockEvent.LockOperation next(QueueingSubscriber<FileLockEvent> sub, long pid, LockType type)
            throws Exception {
        return (FileLockEvent.LockOperation) BpfTesting.next(sub,
                e -> e instanceof FileLockEvent.LockOperation l && l.pid() == pid && l.type() == type);
    }

    @Test
    void flockTakenAndReleased() throws Exception {
        Path file = Files.createFile(dir.resolve("flocked"));
        QueueingSubscriber<FileLockEvent> sub = watch(file);
        Process p = run("flock", "--exclusive", file.toString(), "true");
        FileLockEvent.LockOperation lock = next(sub, p.pid(), LockType.WRITE);
        assertThat(lock.kind()).isEqualTo(LockKind.FLOCK);
        assertThat(lock.granted()).isTrue();
        assertThat(lock.file()).isEqualTo(idOf(file));
        assertThat(lock.tid()).isEqualTo((int) p.pid());
        FileLockEvent.LockOperation unlock = next(sub, p.pid(), LockType.UNLOCK);
        assertThat(unlock.kind()).isEqualTo(LockKind.FLOCK);
        assertThat(unlock.file()).isEqualTo(idOf(file));

        Process shared = run("flock", "--shared", file.toString(), "true");
        assertThat(next(sub, shared.pid(), LockType.READ).kind()).isEqualTo(LockKind.FLOCK);
        sub.subscription.join().cancel();
    }

    @Test
    void posixLockWithItsRange() throws Exception {
        Path file = Files.createFile(dir.resolve("posix"));
        QueueingSubscriber<FileLockEvent> sub = watch(file);
        Process p = run(BpfTesting.python3(), "-c", "import fcntl, os, sys\n"
                + "fd = os.open(sys.argv[1], os.O_RDWR)\n"
                + "fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 10, 5)\n"
                + "fcntl.lockf(fd, fcntl.LOCK_UN, 10, 5)\n"
                + "fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB, 0, 0)\n", file.toString());
        FileLockEvent.LockOperation lock = next(sub, p.pid(), LockType.WRITE);
        assertThat(lock.kind()).isEqualTo(LockKind.POSIX);
        assertThat(lock.granted()).isTrue();
        assertThat(lock.start()).isEqualTo(5);
        assertThat(lock.end()).isEqualTo(14);
        assertThat(lock.ownerPid()).isEqualTo((int) p.pid());
        assertThat(lock.file()).isEqualTo(idOf(file));
        FileLockEvent.LockOperation unlock = next(sub, p.pid(), LockType.UNLOCK);
        assertThat(unlock.kind()).isEqualTo(LockKind.POSIX);
        assertThat(unlock.start()).isEqualTo(5);
        assertThat(unlock.end()).isEqualTo(14);
        FileLockEvent.LockOperation shared = next(sub, p.pid(), LockType.READ);
        assertThat(shared.start()).isZero();
        assertThat(shared.end()).isEqualTo(Long.MAX_VALUE);
        sub.subscription.join().cancel();
    }

    @Test
    void ofdLockGrantedThenRefused() throws Exception {
        Path file = Files.createFile(dir.resolve("ofd"));
        QueueingSubscriber<FileLockEvent> sub = watch(file);
        // F_OFD_SETLK is 37; struct flock: short type, short whence, off_t start, off_t len, pid_t pid.
        Process p = run(BpfTesting.python3(), "-c", "import errno, fcntl, os, struct, sys\n"
                + "lk = struct.pack('hhqqi', fcntl.F_WRLCK, 0, 100, 50, 0)\n"
                + "a = os.open(sys.argv[1], os.O_RDWR)\n"
                + "b = os.open(sys.argv[1], os.O_RDWR)\n"
                + "fcntl.fcntl(a, 37, lk)\n"
                + "try:\n"
                + "    fcntl.fcntl(b, 37, lk)\n"
                + "    sys.exit('second OFD lock granted')\n"
                + "except OSError as e:\n"
                + "    assert e.errno in (errno.EAGAIN, errno.EACCES), e\n", file.toString());
        FileLockEvent.LockOperation granted = next(sub, p.pid(), LockType.WRITE);
        assertThat(granted.kind()).isEqualTo(LockKind.OFD);
        assertThat(granted.granted()).isTrue();
        assertThat(granted.start()).isEqualTo(100);
        assertThat(granted.end()).isEqualTo(149);
        FileLockEvent.LockOperation refused = next(sub, p.pid(), LockType.WRITE);
        assertThat(refused.kind()).isEqualTo(LockKind.OFD);
        assertThat(refused.granted()).isFalse();
        assertThat(refused.result()).isEqualTo(-11);
        sub.subscription.join().cancel();
    }

    @Test
    void locksOnOtherFilesAreFilteredInTheKernel() throws Exception {
        Path watched = Files.createFile(dir.resolve("watched"));
        Path other = Files.createFile(dir.resolve("other"));
        QueueingSubscriber<FileLockEvent> sub = watch(watched);
        run("flock", other.toString(), "true");
        Process p = run("flock", watched.toString(), "true");
        next(sub, p.pid(), LockType.UNLOCK);
        BpfTesting.barrier(loop);
        assertThat(sub.items).allSatisfy(e -> assertThat(((FileLockEvent.LockOperation) e).file()).isEqualTo(idOf(watched)));
        sub.subscription.join().cancel();
    }
}
