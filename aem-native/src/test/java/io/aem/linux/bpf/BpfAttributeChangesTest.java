package io.aem.linux.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.QueueingSubscriber;
import io.aem.linux.testing.ZombieCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** chmod and chown calls of a child process ({@code python3}), seen with their mode, ids, path or fd, and result. */
@ExtendWith({FdLeakCheck.class, ZombieCheck.class})
class BpfAttributeChangesTest {
    private static EventLoop loop;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        loop = EventLoop.open("bpf-attrs-test");
    }

    @AfterAll
    static void stop() {
        loop.close();
    }

    private static AttributeChangeEvent.Change next(QueueingSubscriber<AttributeChangeEvent> sub, long pid,
            AttributeCall... calls) throws Exception {
        return (AttributeChangeEvent.Change) BpfTesting.next(sub, e -> e instanceof AttributeChangeEvent.Change c
                && c.pid() == pid && java.util.Arrays.asList(calls).contains(c.call()));
    }

    @Test
    void chmodAndChownWithModesIdsAndResults() throws Exception {
        Path file = Files.createFile(dir.resolve("target"));
        QueueingSubscriber<AttributeChangeEvent> sub = BpfTesting.subscribe(loop,
                BpfStreams.attributeChanges(loop, BpfOptions.of(BpfFilter.childrenOf(BpfTesting.self()))), Long.MAX_VALUE);
        Process p = new ProcessBuilder(BpfTesting.python3(), "-c", "import os, sys\n"
                + "p = sys.argv[1]\n"
                + "os.chmod(p, 0o640)\n"
                + "fd = os.open(p, os.O_RDONLY)\n"
                + "os.fchmod(fd, 0o604)\n"
                + "os.chown(p, 1234, 5678)\n"
                + "os.fchown(fd, 4321, -1)\n"
                + "try:\n"
                + "    os.chmod(p + '.missing', 0o600)\n"
                + "except FileNotFoundError:\n"
                + "    pass\n", file.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();

        AttributeChangeEvent.Change chmod = next(sub, p.pid(), AttributeCall.CHMOD, AttributeCall.FCHMODAT, AttributeCall.FCHMODAT2);
        assertThat(chmod.path()).isEqualTo(file.toString());
        assertThat(chmod.mode()).isEqualTo(0640);
        assertThat(chmod.newMode()).contains(0640);
        assertThat(chmod.succeeded()).isTrue();
        assertThat(chmod.tid()).isEqualTo((int) p.pid());

        AttributeChangeEvent.Change fchmod = next(sub, p.pid(), AttributeCall.FCHMOD);
        assertThat(fchmod.mode()).isEqualTo(0604);
        assertThat(fchmod.fd()).isGreaterThanOrEqualTo(3);
        assertThat(fchmod.path()).isEmpty();
        assertThat(fchmod.result()).isZero();

        AttributeChangeEvent.Change chown = next(sub, p.pid(), AttributeCall.CHOWN, AttributeCall.FCHOWNAT);
        assertThat(chown.path()).isEqualTo(file.toString());
        assertThat(chown.newUid()).isEqualTo(1234);
        assertThat(chown.newGid()).isEqualTo(5678);
        assertThat(chown.newMode()).isEmpty();
        assertThat(chown.succeeded()).isTrue();

        AttributeChangeEvent.Change fchown = next(sub, p.pid(), AttributeCall.FCHOWN);
        assertThat(fchown.fd()).isEqualTo(fchmod.fd());
        assertThat(fchown.newUid()).isEqualTo(4321);
        assertThat(fchown.newGid()).isEqualTo(-1);

        AttributeChangeEvent.Change failed = next(sub, p.pid(), AttributeCall.CHMOD, AttributeCall.FCHMODAT, AttributeCall.FCHMODAT2);
        assertThat(failed.path()).isEqualTo(file + ".missing");
        assertThat(failed.result()).isEqualTo(-2);
        assertThat(failed.succeeded()).isFalse();
        sub.subscription.join().cancel();
    }

    /** The cgroup v2 mount point, from /proc/self/mountinfo; null without one. */
    private static Path cgroup2Mount() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] halves = line.split(" - ", 2);
            if (halves.length == 2 && halves[1].startsWith("cgroup2 ")) {
                return Path.of(halves[0].split(" ")[4]);
            }
        }
        return null;
    }

    @Test
    void cgroupFilterPassesOnlyTasksOfThatCgroup() throws Exception {
        Path mount = cgroup2Mount();
        org.junit.jupiter.api.Assumptions.assumeTrue(mount != null, "the kernel has no cgroup v2 hierarchy mounted");
        Path cgroup = Files.createDirectory(mount.resolve("aem-bpf-test-" + BpfTesting.self()));
        try {
            Path outside = Files.createFile(dir.resolve("outside"));
            Path inside = Files.createFile(dir.resolve("inside"));
            BpfFilter filter = new BpfFilter(0, 0, BpfFilter.cgroupIdOf(cgroup), java.util.List.of());
            QueueingSubscriber<AttributeChangeEvent> sub = BpfTesting.subscribe(loop,
                    BpfStreams.attributeChanges(loop, BpfOptions.of(filter)), Long.MAX_VALUE);
            // This JVM is not in the cgroup: filtered out. Its record would come first (one ring, in order).
            Files.setPosixFilePermissions(outside, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            Process p = new ProcessBuilder(BpfTesting.python3(), "-c", "import os, sys\n"
                    + "open(sys.argv[1] + '/cgroup.procs', 'w').write(str(os.getpid()))\n"
                    + "os.chmod(sys.argv[2], 0o600)\n", cgroup.toString(), inside.toString())
                    .redirectErrorStream(true).start();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
            AttributeChangeEvent.Change change = (AttributeChangeEvent.Change) BpfTesting.next(sub,
                    e -> e instanceof AttributeChangeEvent.Change c && c.path().equals(inside.toString()));
            assertThat(change.pid()).isEqualTo((int) p.pid());
            assertThat(change.cgroupId()).isEqualTo(BpfFilter.cgroupIdOf(cgroup));
            assertThat(sub.items).noneMatch(e -> e instanceof AttributeChangeEvent.Change c && c.path().equals(outside.toString()));
            sub.subscription.join().cancel();
        } finally {
            org.awaitility.Awaitility.await().atMost(BpfTesting.WAIT).ignoreExceptions().until(() -> {
                Files.delete(cgroup);
                return true;
            });
        }
    }
}
