package io.aem.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.UnsupportedKernelFeatureException;
import io.aem.linux.bpf.ProcessExitEvent;
import io.aem.linux.fs.FileAccessEvent;
import io.aem.linux.fs.FileEventKind;
import io.aem.linux.fs.UnsupportedFilesystemException;
import io.aem.linux.proc.ProcEvent;
import io.aem.linux.proc.ProcEventKind;
import io.aem.linux.proc.ProcessExit;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.spring.autoconfigure.AemAutoConfiguration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Handlers of the system-wide families: process-connector events and eBPF process exits, each
 * narrowed to one event subtype by the parameter type, and fanotify accesses with their process. Skipped only
 * where the kernel lacks the feature (the stream's error names it); a missing privilege or library fails.
 */
@ExtendWith(FdLeakCheck.class)
class AemKernelListenerTests {

    private static final long SELF = ProcessHandle.current().pid();

    private static ConfigurableApplicationContext start(Class<?> handlers, String... properties) {
        return new SpringApplicationBuilder(TestApplication.class, handlers).web(WebApplicationType.NONE)
                .properties("spring.main.banner-mode=off").properties(properties).run();
    }

    /** Runs a child of this JVM that exits with 7, as often as the condition is polled. */
    private static void runChildExiting7() throws Exception {
        new ProcessBuilder("/bin/sh", "-c", "exit 7").start().waitFor();
    }

    private static void assumeSourceRuns(AemHandlerStats.Handler handler) {
        handler.lastError().ifPresent(error -> Assumptions.assumeFalse(error instanceof UnsupportedKernelFeatureException,
                () -> "the kernel lacks the feature: " + error));
    }

    @Test
    void processEventHandlerTakingExitReceivesOnlyExitsIncludingAChildsCode() {
        try (ConfigurableApplicationContext context = start(ProcessEventHandlers.class)) {
            ProcessEventHandlers handlers = context.getBean(ProcessEventHandlers.class);
            AemHandlerStats.Handler stats = context.getBean(AemHandlerStats.class).handler("exits").orElseThrow();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assumeSourceRuns(stats);
                runChildExiting7();
                assertThat(handlers.exits).anySatisfy(exit -> {
                    assertThat(exit.parentTgid()).isEqualTo(SELF);
                    assertThat(exit.status()).isEqualTo(new ProcessExit.Exited(7));
                });
            });
            assertThat(stats.errors()).isZero();
        }
    }

    @Test
    void bpfHandlerTakingExitedReceivesTheExitsOfChildrenOfThisProcess() {
        try (ConfigurableApplicationContext context = start(BpfHandlers.class,
                "aem.sources.bpf.children.family=process-exits",
                "aem.sources.bpf.children.filter.parent-pid=" + SELF)) {
            BpfHandlers handlers = context.getBean(BpfHandlers.class);
            AemHandlerStats.Handler stats = context.getBean(AemHandlerStats.class).handler("children").orElseThrow();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assumeSourceRuns(stats);
                runChildExiting7();
                assertThat(handlers.exits).anySatisfy(exit -> assertThat(exit.exitCode()).isEqualTo(7));
            });
            assertThat(handlers.exits).allSatisfy(exit -> assertThat(exit.parentPid()).isEqualTo((int) SELF));
            assertThat(stats.errors()).isZero();
        }
    }

    @Test
    void fanotifyHandlerReceivesTheWriteOfAFileWithTheWritingProcess(@TempDir Path dir) {
        try (ConfigurableApplicationContext context = start(FanotifyHandlers.class, "test.dir=" + dir)) {
            FanotifyHandlers handlers = context.getBean(FanotifyHandlers.class);
            AemHandlerStats.Handler stats = context.getBean(AemHandlerStats.class).handler("writes").orElseThrow();
            java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assumeFanotifyRuns(stats);
                Files.writeString(dir.resolve("f" + n.incrementAndGet()), "x");
                assertThat(handlers.writes).anySatisfy(event -> {
                    assertThat(event.path().getParent()).isEqualTo(dir);
                    assertThat(event.pid()).isEqualTo((int) SELF);
                });
            });
        }
    }

    private static void assumeFanotifyRuns(AemHandlerStats.Handler stats) {
        stats.lastError().ifPresent(error -> Assumptions.assumeFalse(error instanceof UnsupportedKernelFeatureException
                || error instanceof UnsupportedFilesystemException, () -> "the kernel lacks the feature: " + error));
    }

    static class FanotifyHandlers {
        final List<FileAccessEvent> writes = new CopyOnWriteArrayList<>();

        @AemFanotifyListener(id = "writes", path = "${test.dir}", kinds = FileEventKind.CLOSE_WRITE)
        void onWrite(FileAccessEvent event) {
            writes.add(event);
        }
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @ImportAutoConfiguration(AemAutoConfiguration.class)
    static class TestApplication {
    }

    static class ProcessEventHandlers {
        final List<ProcEvent.Exit> exits = new CopyOnWriteArrayList<>();

        @AemProcessEventListener(id = "exits", kinds = ProcEventKind.EXIT, scheduler = "loop")
        void onExit(ProcEvent.Exit exit) {
            if (exit.parentTgid() == SELF) {
                exits.add(exit);
            }
        }
    }

    static class BpfHandlers {
        final List<ProcessExitEvent.Exited> exits = new CopyOnWriteArrayList<>();

        @AemBpfListener(id = "children", source = "children")
        void onExit(ProcessExitEvent.Exited exit) {
            exits.add(exit);
        }
    }
}
