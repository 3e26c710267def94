package io.aem.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.bpf.AttributeChangeEvent;
import io.aem.linux.bpf.AttributeCall;
import io.aem.linux.bpf.BpfFilter;
import io.aem.linux.bpf.BpfOptions;
import io.aem.linux.bpf.FileId;
import io.aem.linux.bpf.FileLockEvent;
import io.aem.linux.bpf.LockKind;
import io.aem.linux.bpf.LockType;
import io.aem.linux.bpf.ProcessExitEvent;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.ZombieCheck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

/** The eBPF streams through the Reactor façade, on the real kernel (root). */
@ExtendWith({FdLeakCheck.class, ZombieCheck.class})
class AemBpfTest {
    private static final long SELF = ProcessHandle.current().pid();
    private static Aem aem;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        aem = Aem.create(1);
    }

    @AfterAll
    static void stop() {
        aem.close();
    }

    /** Runs the action on the loop after the subscription's open: the programs are attached by then. */
    private static void afterOpen(Runnable action) {
        aem.loops().get(0).execute(action);
    }

    @Test
    void processExitOfAChild() {
        AtomicLong started = new AtomicLong(-1);
        StepVerifier.create(aem.processExits(BpfOptions.of(BpfFilter.childrenOf(SELF)))
                        .filter(e -> e instanceof ProcessExitEvent.Exited x && x.pid() == started.get())
                        .take(1))
                .then(() -> afterOpen(() -> {
                    try {
                        started.set(new ProcessBuilder("/bin/sh", "-c", "exit 42").start().pid());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }))
                .assertNext(e -> assertThat(((ProcessExitEvent.Exited) e).exitCode()).isEqualTo(42))
                .expectComplete()
                .verify(Duration.ofSeconds(20));
    }

    @Test
    void chmodOfThisProcess() throws Exception {
        Path file = Files.createFile(dir.resolve("mode"));
        StepVerifier.create(aem.attributeChanges(BpfOptions.of(BpfFilter.process(SELF)))
                        .filter(e -> e instanceof AttributeChangeEvent.Change c && c.path().equals(file.toString()))
                        .take(1))
                .then(() -> afterOpen(() -> {
                    try {
                        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }))
                .assertNext(e -> {
                    AttributeChangeEvent.Change c = (AttributeChangeEvent.Change) e;
                    assertThat(c.call().changesMode()).isTrue();
                    assertThat(c.call()).isNotEqualTo(AttributeCall.OTHER);
                    assertThat(c.mode() & 0777).isEqualTo(0640);
                    assertThat(c.pid()).isEqualTo((int) SELF);
                })
                .expectComplete()
                .verify(Duration.ofSeconds(20));
    }

    @Test
    void flockOfAChild() throws Exception {
        Path file = Files.createFile(dir.resolve("lock"));
        FileId id = new FileId(((Number) Files.getAttribute(file, "unix:dev")).longValue(),
                ((Number) Files.getAttribute(file, "unix:ino")).longValue());
        AtomicLong started = new AtomicLong(-1);
        StepVerifier.create(aem.fileLocks(BpfOptions.of(BpfFilter.childrenOf(SELF).withFiles(List.of(id))))
                        .filter(e -> e instanceof FileLockEvent.LockOperation l && l.pid() == started.get())
                        .take(2))
                .then(() -> afterOpen(() -> {
                    try {
                        started.set(new ProcessBuilder("flock", file.toString(), "true").start().pid());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }))
                .assertNext(e -> {
                    FileLockEvent.LockOperation l = (FileLockEvent.LockOperation) e;
                    assertThat(l.kind()).isEqualTo(LockKind.FLOCK);
                    assertThat(l.type()).isEqualTo(LockType.WRITE);
                    assertThat(l.file()).isEqualTo(id);
                    assertThat(l.granted()).isTrue();
                })
                .assertNext(e -> assertThat(((FileLockEvent.LockOperation) e).type()).isEqualTo(LockType.UNLOCK))
                .expectComplete()
                .verify(Duration.ofSeconds(20));
    }
}
