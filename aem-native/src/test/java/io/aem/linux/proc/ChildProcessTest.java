package io.aem.linux.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.FdLimit;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.OpenFds;
import io.aem.linux.testing.Processes;
import io.aem.linux.testing.RecordingSubscriber;
import io.aem.linux.testing.ZombieCheck;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith({FdLeakCheck.class, ZombieCheck.class})
class ChildProcessTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    private static EventLoop loop;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = EventLoop.open("child-test");
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    static ProcessSpec sh(String script) {
        return ProcessSpec.of("/bin/sh", "-c", script);
    }

    /** Waits for the exit through a subscriber and checks that the child is reaped, not a zombie. */
    static ProcessExit exitOf(ChildProcess child) throws Exception {
        RecordingSubscriber<ProcessExit> sub = new RecordingSubscriber<>(1);
        child.exit().subscribe(sub);
        sub.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(sub.items).hasSize(1);
        assertThat(Processes.state(child.pid())).as("child %d reaped", child.pid()).isEqualTo('-');
        return sub.items.get(0);
    }

    static ProcessSpec quiet(ProcessSpec spec) {
        return spec.withStdout(Redirect.DISCARD).withStderr(Redirect.DISCARD);
    }

    @Test
    void exitCodesZeroAnd42AreReportedOnTheLoopThread() throws Exception {
        ChildProcess ok = ChildProcess.start(loop, quiet(ProcessSpec.of("true")));
        ChildProcess failing = ChildProcess.start(loop, quiet(sh("exit 42")));
        RecordingSubscriber<ProcessExit> sub = new RecordingSubscriber<>(1);
        ok.exit().subscribe(sub);
        sub.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(sub.threads).containsOnly("child-test");
        assertThat(sub.items.get(0).status()).isEqualTo(new ProcessExit.Exited(0));
        assertThat(sub.items.get(0).pid()).isEqualTo(ok.pid());
        assertThat(exitOf(failing).status()).isEqualTo(new ProcessExit.Exited(42));
        assertThat(failing.exitNow()).map(ProcessExit::status).contains(new ProcessExit.Exited(42));
        assertThat(failing.timedOut()).isFalse();
    }

    @Test
    void theSupervisorReapsAChildNobodyWatches() throws Exception {
        ChildProcess child = ChildProcess.start(loop, quiet(ProcessSpec.of("true")));
        await().atMost(WAIT).until(() -> child.exitNow().isPresent());
        assertThat(Processes.state(child.pid())).isEqualTo('-');
        // A late subscriber gets the recorded exit at once on request.
        assertThat(exitOf(child).status()).isEqualTo(new ProcessExit.Exited(0));
    }

    @Test
    void signalNineKillsAndIsFalseOnceReaped() throws Exception {
        ChildProcess child = ChildProcess.start(loop, quiet(ProcessSpec.of("sleep", "30")));
        assertThat(child.signal(0)).isTrue();
        assertThat(child.signal(9)).isTrue();
        assertThat(exitOf(child).status()).isEqualTo(new ProcessExit.Killed(9));
        assertThat(child.signal(0)).isFalse();
        assertThatThrownBy(() -> ChildProcess.start(loop, ProcessSpec.of("true")).signal(999))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("999");
    }

    @Test
    void segfaultWithoutCoreLimitIsKilledBy11() throws Exception {
        ChildProcess child = ChildProcess.start(loop, quiet(sh("ulimit -c 0; kill -SEGV $$")));
        ProcessExit exit = exitOf(child);
        System.out.println("SIGSEGV with RLIMIT_CORE 0: " + exit.status());
        assertThat(exit.status()).isEqualTo(new ProcessExit.Killed(11));
    }

    @Test
    void segfaultAllowedToDumpIsDumpedBy11WithTheCoreInTheWorkingDirectory(@TempDir Path dir) throws Exception {
        String pattern = Files.readString(Path.of("/proc/sys/kernel/core_pattern")).trim();
        ChildProcess child = ChildProcess.start(loop,
                quiet(sh("ulimit -c unlimited && kill -SEGV $$")).withDirectory(dir));
        ProcessExit exit = exitOf(child);
        boolean core;
        try (Stream<Path> files = Files.list(dir)) {
            core = files.anyMatch(p -> p.getFileName().toString().startsWith("core"));
        }
        System.out.println("SIGSEGV with RLIMIT_CORE unlimited, core_pattern '" + pattern + "': " + exit.status()
                + (core ? ", core file in the working directory" : ", no core file"));
        if (pattern.equals("core")) {
            assertThat(exit.status()).isEqualTo(new ProcessExit.Dumped(11));
            assertThat(core).isTrue();
        } else {
            assertThat(exit.status()).isIn(new ProcessExit.Killed(11), new ProcessExit.Dumped(11));
        }
    }

    @Test
    void environmentIsInheritedExtendedReducedOrReplaced() throws Exception {
        String script = "echo \"$AEM_A|$AEM_B|${HOME-unset}\"";
        assertThat(output(sh(script).withEnv("AEM_A", "a").withEnv("AEM_B", "b").withEnv("AEM_B", "b2")))
                .isEqualTo("a|b2|" + System.getenv("HOME") + "\n");
        assertThat(output(ProcessSpec.of("/usr/bin/env").withoutEnv("HOME").withEnv("AEM_A", "x")))
                .doesNotContain("HOME=").contains("AEM_A=x\n").contains("PATH=");
        assertThat(output(sh(script).withEnvironment(Map.of("AEM_A", "only")))).isEqualTo("only||unset\n");
        assertThat(output(ProcessSpec.of("env").withEnvironment(Map.of("X", "1")).withEnv("Y", "2")
                .withDirectory(Path.of("/")).withEnv("PATH", "/usr/bin:/bin"))).isEqualTo("PATH=/usr/bin:/bin\nX=1\nY=2\n");
    }

    @Test
    void workingDirectoryIsTheSpecs(@TempDir Path dir) throws Exception {
        assertThat(output(ProcessSpec.of("pwd").withDirectory(dir))).isEqualTo(dir.toRealPath() + "\n");
        // A relative executable is found relative to the working directory.
        Path script = dir.resolve("hello.sh");
        Files.writeString(script, "#!/bin/sh\necho from script\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        assertThat(output(ProcessSpec.of("./hello.sh").withDirectory(dir))).isEqualTo("from script\n");
    }

    @Test
    void onlyFdsZeroOneTwoReachTheChild() throws Exception {
        String fds = output(sh("ls /proc/$$/fd"));
        assertThat(fds.trim().split("\\s+")).containsExactlyInAnyOrder("0", "1", "2");
    }

    /** The shell's own fds are read in command substitutions: dash applies a command's redirections in the shell itself. */
    @Test
    void inheritAndDiscardRedirects() throws Exception {
        String jvmStdout = Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
        ChildProcess inherit = ChildProcess.start(loop, sh("o=$(readlink /proc/$$/fd/1); i=$(readlink /proc/$$/fd/0); echo \"$o\" >&2; echo \"$i\" >&2")
                .withStdout(Redirect.INHERIT));
        ByteCollector err = ByteCollector.of(inherit.stderr());
        assertThat(err.text()).isEqualTo(jvmStdout + "\n/dev/null\n");
        assertThat(exitOf(inherit).isSuccess()).isTrue();
        assertThat(output(sh("echo gone; echo err >&2 ; echo kept >&2").withStdout(Redirect.DISCARD)
                .withStderr(Redirect.PIPE), true)).isEqualTo("err\nkept\n");
    }

    @Test
    void fileRedirectsReadWriteAndAppend(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in.txt");
        Path out = dir.resolve("out.txt");
        Files.writeString(in, "line one\nline two\n");
        Files.writeString(out, "old content that is longer\n");
        assertThat(output(ProcessSpec.of("cat").withStdin(Redirect.readFrom(in)))).isEqualTo("line one\nline two\n");
        assertThat(exitOf(ChildProcess.start(loop, ProcessSpec.of("echo", "a").withStdout(Redirect.writeTo(out))))
                .isSuccess()).isTrue();
        assertThat(Files.readString(out)).isEqualTo("a\n");
        assertThat(exitOf(ChildProcess.start(loop, sh("echo b; echo c >&2").withStdout(Redirect.appendTo(out))
                .withStderr(Redirect.appendTo(out)))).isSuccess()).isTrue();
        assertThat(Files.readString(out)).isEqualTo("a\nb\nc\n");
    }

    @Test
    void stderrToStdoutMergesBothStreamsInWriteOrder() throws Exception {
        ProcessSpec spec = sh("echo out1; echo err1 >&2; echo out2").withStderr(Redirect.TO_STDOUT);
        assertThat(output(spec)).isEqualTo("out1\nerr1\nout2\n");
    }

    @Test
    void stdoutAndStderrOfANonPipeRedirectAreRefusedNamingTheRedirect() throws Exception {
        ChildProcess child = ChildProcess.start(loop, quiet(ProcessSpec.of("true")));
        assertThatThrownBy(child::stdout).isInstanceOf(IllegalStateException.class).hasMessageContaining("DISCARD");
        assertThatThrownBy(child::stderr).isInstanceOf(IllegalStateException.class).hasMessageContaining("DISCARD");
        assertThatThrownBy(child::closeStdin).isInstanceOf(IllegalStateException.class).hasMessageContaining("DISCARD");
        exitOf(child);
    }

    @Test
    void aSecondStdoutSubscriberIsRefused() throws Exception {
        ChildProcess child = ChildProcess.start(loop, ProcessSpec.of("echo", "hello"));
        ByteCollector first = ByteCollector.of(child.stdout());
        ByteCollector second = ByteCollector.of(child.stdout());
        assertThat(first.text()).isEqualTo("hello\n");
        assertThatThrownBy(() -> second.done.join()).hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already read");
        exitOf(child);
    }

    @Test
    void outputNobodyReadIsDrainedAtTheReapSoNoFdOutlivesTheChildAndALateSubscriberGetsIt() throws Exception {
        Map<Integer, String> before = OpenFds.snapshot();
        ChildProcess child = ChildProcess.start(loop, sh("echo out; echo err >&2"));
        // Nobody subscribes to anything: the supervisor reaps the child and drains both pipes.
        await().atMost(WAIT).until(() -> child.exitNow().isPresent());
        await().atMost(WAIT).untilAsserted(() -> assertThat(OpenFds.openedSince(before).values())
                .noneMatch(target -> target.startsWith("pipe:")));
        assertThat(ByteCollector.of(child.stdout()).text()).isEqualTo("out\n");
        assertThat(ByteCollector.of(child.stderr()).text()).isEqualTo("err\n");
        ByteCollector again = ByteCollector.of(child.stdout());
        assertThatThrownBy(() -> again.done.join()).hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already given");
    }

    @Test
    void timeoutTerminatesWithSigterm() throws Exception {
        long start = System.nanoTime();
        ChildProcess child = ChildProcess.start(loop, quiet(ProcessSpec.of("sleep", "30"))
                .withTimeout(Duration.ofMillis(100)));
        assertThat(exitOf(child).status()).isEqualTo(new ProcessExit.Killed(15));
        assertThat(child.timedOut()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(100), Duration.ofSeconds(5));
    }

    @Test
    void aChildIgnoringSigtermIsKilledAfterTheGrace() throws Exception {
        long start = System.nanoTime();
        // 'read' is a shell builtin: no grandchild outlives the shell holding the pipe.
        ChildProcess child = ChildProcess.start(loop, quiet(sh("trap '' TERM; read x")).withStdin(Redirect.PIPE)
                .withTimeout(Duration.ofMillis(100)).withKillGrace(Duration.ofMillis(300)));
        assertThat(exitOf(child).status()).isEqualTo(new ProcessExit.Killed(9));
        assertThat(child.timedOut()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    }

    @Test
    void processGroupTerminateReachesTheScriptsOwnChildren() throws Exception {
        ChildProcess child = ChildProcess.start(loop, sh("sleep 30 & echo $!; wait").withProcessGroup(true));
        ByteCollector out = ByteCollector.of(child.stdout());
        RecordingSubscriber<ProcessExit> exit = new RecordingSubscriber<>(1);
        child.exit().subscribe(exit);
        await().atMost(WAIT).until(() -> child.signal(0));
        // The grandchild's pid comes first on stdout; wait until it runs, then terminate the group.
        long grandchild = readFirstLinePid(child);
        child.terminate();
        exit.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(exit.items.get(0).status()).isEqualTo(new ProcessExit.Killed(15));
        out.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> Processes.state(grandchild) == '-' || Processes.state(grandchild) == 'Z');
    }

    private static long readFirstLinePid(ChildProcess child) {
        // Every pid in the group but the shell: the background sleep.
        return await().atMost(WAIT).until(() -> {
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                return procs.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+"))
                        .mapToLong(Long::parseLong).filter(p -> p != child.pid() && parentOf(p) == child.pid())
                        .findFirst().orElse(-1);
            }
        }, p -> p > 0);
    }

    private static long parentOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void cancellingTheLastExitSubscriptionAppliesTheCancelPolicy() throws Exception {
        assertThat(cancelled(CancelPolicy.TERMINATE)).isEqualTo(new ProcessExit.Killed(15));
        assertThat(cancelled(CancelPolicy.KILL)).isEqualTo(new ProcessExit.Killed(9));
    }

    private static ProcessExit.Status cancelled(CancelPolicy policy) throws Exception {
        ChildProcess child = ChildProcess.start(loop, quiet(ProcessSpec.of("sleep", "30")).withCancelPolicy(policy));
        RecordingSubscriber<ProcessExit> watcher = new RecordingSubscriber<>(0);
        RecordingSubscriber<ProcessExit> other = new RecordingSubscriber<>(0);
        child.exit().subscribe(watcher);
        child.exit().subscribe(other);
        watcher.subscription.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        other.subscription.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        watcher.cancel();
        // One subscription is still live: the child keeps running.
        assertThat(child.signal(0)).isTrue();
        other.cancel();
        await().atMost(WAIT).until(() -> child.exitNow().isPresent());
        assertThat(Processes.state(child.pid())).isEqualTo('-');
        assertThat(watcher.items).isEmpty();
        return child.exitNow().get().status();
    }

    @Test
    void leaveRunningKeepsTheChildAndStillReapsItWhenItEnds() throws Exception {
        ChildProcess child = ChildProcess.start(loop, quiet(sh("read x; exit 3")).withStdin(Redirect.PIPE)
                .withCancelPolicy(CancelPolicy.LEAVE_RUNNING));
        RecordingSubscriber<ProcessExit> watcher = new RecordingSubscriber<>(0);
        child.exit().subscribe(watcher);
        watcher.subscription.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        watcher.cancel();
        await().atMost(WAIT).until(() -> Processes.state(child.pid()) == 'S');
        assertThat(child.exitNow()).isEmpty();
        assertThat(child.closeStdin()).isTrue();
        await().atMost(WAIT).until(() -> child.exitNow().isPresent());
        assertThat(child.exitNow().get().status()).isEqualTo(new ProcessExit.Exited(3));
        assertThat(Processes.state(child.pid())).isEqualTo('-');
    }

    @Test
    void closingTheLoopKillsAndReapsItsChildrenAndEndsTheirStreams() throws Exception {
        EventLoop own = EventLoop.open("child-close-test");
        ChildProcess child = ChildProcess.start(own, ProcessSpec.of("sleep", "30").withCancelPolicy(CancelPolicy.LEAVE_RUNNING));
        RecordingSubscriber<ProcessExit> exit = new RecordingSubscriber<>(1);
        child.exit().subscribe(exit);
        ByteCollector out = ByteCollector.of(child.stdout());
        exit.subscription.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        own.close();
        assertThat(child.exitNow()).map(ProcessExit::status).contains(new ProcessExit.Killed(9));
        assertThat(Processes.state(child.pid())).isEqualTo('-');
        assertThat(exit.error()).isInstanceOf(EventLoopClosedException.class);
        assertThatThrownBy(() -> out.done.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .hasCauseInstanceOf(EventLoopClosedException.class);
        // stderr was never read: closed with the loop.
        ByteCollector err = ByteCollector.of(child.stderr());
        assertThatThrownBy(() -> err.done.join()).hasCauseInstanceOf(IllegalStateException.class);
        // A subscriber after the close gets the recorded exit on request.
        assertThat(exitOfAfterClose(child)).isEqualTo(new ProcessExit.Killed(9));
        assertThatThrownBy(() -> ChildProcess.start(own, ProcessSpec.of("true")))
                .isInstanceOf(EventLoopClosedException.class);
    }

    private static ProcessExit.Status exitOfAfterClose(ChildProcess child) throws Exception {
        RecordingSubscriber<ProcessExit> late = new RecordingSubscriber<>(1);
        child.exit().subscribe(late);
        late.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return late.items.get(0).status();
    }

    @Test
    void missingExecutableNamesThePathSearched() {
        assertThatThrownBy(() -> ChildProcess.start(loop, ProcessSpec.of("no-such-command-aem").withEnv("PATH", "/usr/bin:/bin")))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("no-such-command-aem")
                .hasMessageContaining("PATH /usr/bin:/bin");
        assertThatThrownBy(() -> ChildProcess.start(loop, ProcessSpec.of("/no/such/exe")))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("/no/such/exe");
    }

    @Test
    void nonExecutableFileAndDirectoryAreAccessDenied(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("plain");
        Files.writeString(file, "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> ChildProcess.start(loop, ProcessSpec.of(file.toString())))
                .isInstanceOf(AccessDeniedException.class).hasMessageContaining("plain").hasMessageContaining("chmod +x");
        assertThatThrownBy(() -> ChildProcess.start(loop, ProcessSpec.of(dir.toString())))
                .isInstanceOf(AccessDeniedException.class).hasMessageContaining("directory");
        assertThatThrownBy(() -> ChildProcess.start(loop, ProcessSpec.of("plain").withEnv("PATH", dir.toString())))
                .isInstanceOf(AccessDeniedException.class).hasMessageContaining("chmod +x");
        // Executable but no #! and not ELF: the kernel's ENOEXEC from posix_spawn.
        Path garbage = dir.resolve("garbage");
        Files.write(garbage, new byte[] {1, 2, 3, 4});
        Files.setPosixFilePermissions(garbage, PosixFilePermissions.fromString("rwx------"));
        assertThatThrownBy(() -> ChildProcess.start(loop, ProcessSpec.of(garbage.toString())))
                .isInstanceOf(AccessDeniedException.class).hasMessageContaining("exec format error");
    }

    @Test
    void missingWorkingDirectoryAndRedirectFilesAreTheMatchingNioExceptions(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> ChildProcess.start(loop, ProcessSpec.of("true").withDirectory(dir.resolve("gone"))))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("gone").hasMessageContaining("working directory");
        assertThatThrownBy(() -> ChildProcess.start(loop, ProcessSpec.of("cat").withStdin(Redirect.readFrom(dir.resolve("none")))))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("none").hasMessageContaining("stdin");
        assertThatThrownBy(() -> ChildProcess.start(loop, ProcessSpec.of("true").withStdout(Redirect.writeTo(dir.resolve("a/b")))))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("stdout");
        assertThatThrownBy(() -> ChildProcess.start(loop, ProcessSpec.of("true").withStderr(Redirect.writeTo(dir))))
                .isInstanceOf(java.nio.file.FileSystemException.class).hasMessageContaining("is a directory");
    }

    @Test
    void theFdLimitIsAResourceLimitExceptionNamingRlimitNofile() throws Exception {
        // The lowest free fd number as the soft limit: no new fd can be opened until it is raised again.
        java.util.Set<Integer> open = io.aem.linux.testing.OpenFds.snapshot().keySet();
        int lowestFree = 0;
        while (open.contains(lowestFree)) {
            lowestFree++;
        }
        Throwable error;
        long before = FdLimit.setSoft(lowestFree);
        try {
            error = org.assertj.core.api.Assertions.catchThrowable(() -> ChildProcess.start(loop, ProcessSpec.of("true")));
        } finally {
            FdLimit.setSoft(before);
        }
        assertThat(error).isInstanceOf(io.aem.linux.ResourceLimitException.class).hasMessageContaining("RLIMIT_NOFILE");
    }

    @Test
    void posixSpawnErrorsMapToTypedExceptions() {
        Path exe = Path.of("/usr/bin/x");
        assertThat(Spawner.spawnFailure(io.aem.linux.Errno.EAGAIN, exe, "x", null))
                .isInstanceOf(io.aem.linux.ResourceLimitException.class)
                .hasMessageContaining("RLIMIT_NPROC").hasMessageContaining("kernel.pid_max");
        assertThat(Spawner.spawnFailure(io.aem.linux.Errno.ENOENT, exe, "x", null)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("/usr/bin/x");
        assertThat(Spawner.spawnFailure(io.aem.linux.Errno.EACCES, exe, "x", null)).isInstanceOf(AccessDeniedException.class);
        assertThat(Spawner.spawnFailure(8, exe, "x", null)).isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("exec format error");
        assertThat(Spawner.spawnFailure(io.aem.linux.Errno.EMFILE, exe, "x", null))
                .isInstanceOf(io.aem.linux.ResourceLimitException.class).hasMessageContaining("RLIMIT_NOFILE");
    }

    @Test
    void specValidationNamesTheField() {
        assertThatThrownBy(() -> ProcessSpec.of()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("argv");
        assertThatThrownBy(() -> ProcessSpec.of("a\0b")).hasMessageContaining("argv[0]");
        assertThatThrownBy(() -> ProcessSpec.of("x").withEnv("A=B", "v")).hasMessageContaining("environment");
        assertThatThrownBy(() -> ProcessSpec.of("x").withTimeout(Duration.ZERO)).hasMessageContaining("timeout");
        assertThatThrownBy(() -> ProcessSpec.of("x").withKillGrace(Duration.ofSeconds(-1))).hasMessageContaining("killGrace");
        assertThatThrownBy(() -> ProcessSpec.of("x").withStdin(Redirect.TO_STDOUT)).hasMessageContaining("stdin");
        assertThatThrownBy(() -> ProcessSpec.of("x").withStdout(Redirect.TO_STDOUT)).hasMessageContaining("stdout");
        ProcessSpec spec = ProcessSpec.of("x");
        assertThat(spec.stdin()).isEqualTo(Redirect.DISCARD);
        assertThat(spec.stdout()).isEqualTo(Redirect.PIPE);
        assertThat(spec.stderr()).isEqualTo(Redirect.PIPE);
        assertThat(spec.cancelPolicy()).isEqualTo(CancelPolicy.TERMINATE);
        assertThat(spec.killGrace()).isEqualTo(Duration.ofSeconds(5));
    }

    static String output(ProcessSpec spec) throws Exception {
        return output(spec, false);
    }

    static String output(ProcessSpec spec, boolean stderr) throws Exception {
        ChildProcess child = ChildProcess.start(loop, spec);
        ByteCollector out = ByteCollector.of(stderr ? child.stderr() : child.stdout());
        String text = new String(out.done.get(WAIT.toSeconds(), TimeUnit.SECONDS), StandardCharsets.UTF_8);
        exitOf(child);
        return text;
    }
}
