package io.aem.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.proc.CancelPolicy;
import io.aem.linux.proc.ProcessExit;
import io.aem.linux.proc.ProcessSpec;
import io.aem.linux.proc.Redirect;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.Processes;
import io.aem.linux.testing.ZombieCheck;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.util.function.Tuple3;

@ExtendWith({FdLeakCheck.class, ZombieCheck.class})
class AemProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static Aem aem;

    @BeforeAll
    static void start() {
        aem = Aem.create(1);
    }

    @AfterAll
    static void stop() {
        aem.close();
    }

    private static ProcessSpec sh(String script) {
        return ProcessSpec.of("/bin/sh", "-c", script);
    }

    private static String utf8(ByteBuffer b) {
        return StandardCharsets.UTF_8.decode(b).toString();
    }

    @Test
    void execEmitsTheExitCodeAndIsLazy() {
        Mono<ProcessExit> exec = aem.exec(sh("exit 42"));
        StepVerifier.create(exec).assertNext(e -> assertThat(e.status()).isEqualTo(new ProcessExit.Exited(42)))
                .verifyComplete();
        // Each subscription runs the command again.
        StepVerifier.create(exec).assertNext(e -> assertThat(e.status()).isEqualTo(new ProcessExit.Exited(42)))
                .verifyComplete();
    }

    @Test
    void execDiscardsPipedOutputSoALoudChildDoesNotBlock() {
        StepVerifier.create(aem.exec(ProcessSpec.of("head", "-c", "1000000", "/dev/zero")))
                .assertNext(e -> assertThat(e.isSuccess()).isTrue())
                .expectComplete().verify(WAIT);
    }

    @Test
    void execTimeoutOfTheSpecIsSigterm() {
        StepVerifier.create(aem.exec(ProcessSpec.of("sleep", "30").withTimeout(Duration.ofMillis(100))))
                .assertNext(e -> assertThat(e.status()).isEqualTo(new ProcessExit.Killed(15)))
                .expectComplete().verify(WAIT);
    }

    @Test
    void execOfAMissingOrNonExecutableFileIsATypedError(@TempDir Path dir) throws Exception {
        StepVerifier.create(aem.exec(ProcessSpec.of("no-such-command-aem")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(NoSuchFileException.class)
                        .hasMessageContaining("no-such-command-aem").hasMessageContaining("PATH"))
                .verify(WAIT);
        Path file = Files.writeString(dir.resolve("data.txt"), "not a program");
        StepVerifier.create(aem.exec(ProcessSpec.of(file.toString())))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(AccessDeniedException.class)
                        .hasMessageContaining("chmod +x"))
                .verify(WAIT);
    }

    /** A script that writes its pid, and on SIGTERM writes "term" to a marker file and ends its sleep. */
    private static ProcessSpec trapping(Path dir, CancelPolicy policy) {
        return sh("echo $$ > pid; trap 'echo term > marker; kill $! 2>/dev/null; exit 0' TERM; sleep 30 & wait")
                .withDirectory(dir).withProcessGroup(true).withCancelPolicy(policy);
    }

    private static long pidIn(Path dir) {
        return await().atMost(WAIT).until(() -> {
            try {
                String text = Files.readString(dir.resolve("pid")).trim();
                return text.isEmpty() ? -1L : Long.parseLong(text);
            } catch (NoSuchFileException e) {
                return -1L;
            }
        }, p -> p > 0);
    }

    @Test
    void cancellingExecTerminatesWithSigtermByDefault(@TempDir Path dir) throws Exception {
        Disposable run = aem.exec(trapping(dir, CancelPolicy.TERMINATE)).subscribe();
        long pid = pidIn(dir);
        run.dispose();
        await().atMost(WAIT).until(() -> Processes.state(pid) == '-');
        assertThat(Files.readString(dir.resolve("marker"))).isEqualTo("term\n");
    }

    @Test
    void aTimeoutOperatorCancelsExecWithKillPolicyAsSigkill(@TempDir Path dir) throws Exception {
        StepVerifier.create(aem.exec(trapping(dir, CancelPolicy.KILL)).timeout(Duration.ofMillis(300)))
                .expectError(TimeoutException.class).verify(WAIT);
        long pid = pidIn(dir);
        await().atMost(WAIT).until(() -> Processes.state(pid) == '-');
        assertThat(dir.resolve("marker")).doesNotExist();
    }

    @Test
    void leaveRunningKeepsTheChildAfterCancelAndStillReapsIt(@TempDir Path dir) {
        Disposable run = aem.exec(sh("echo $$ > pid; sleep 1").withDirectory(dir)
                .withCancelPolicy(CancelPolicy.LEAVE_RUNNING)).subscribe();
        long pid = pidIn(dir);
        run.dispose();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofMillis(900)).until(() -> Processes.state(pid) == 'S');
        await().atMost(WAIT).until(() -> Processes.state(pid) == '-');
    }

    @Test
    void spawnGivesStdoutStderrAndExit() {
        Mono<Tuple3<String, String, ProcessExit>> run = aem.spawn(sh("echo hello; echo oops >&2; exit 3"))
                .flatMap(p -> Mono.zip(
                        p.stdout().map(AemProcessTest::utf8).collect(Collectors.joining()),
                        p.stderr().map(AemProcessTest::utf8).collect(Collectors.joining()),
                        p.exit()));
        StepVerifier.create(run).assertNext(t -> {
            assertThat(t.getT1()).isEqualTo("hello\n");
            assertThat(t.getT2()).isEqualTo("oops\n");
            assertThat(t.getT3().status()).isEqualTo(new ProcessExit.Exited(3));
        }).expectComplete().verify(WAIT);
    }

    @Test
    void spawnFeedsStdinFromAFluxAndReadsItBack() {
        Flux<ByteBuffer> lines = Flux.range(1, 1000).map(i -> ByteBuffer.wrap((i + "\n").getBytes(StandardCharsets.UTF_8)));
        String expected = Flux.range(1, 1000).map(i -> i + "\n").collect(Collectors.joining()).block();
        Mono<Tuple3<Long, String, ProcessExit>> run = aem.spawn(ProcessSpec.of("cat").withStdin(Redirect.PIPE))
                .flatMap(p -> Mono.zip(p.stdin(lines),
                        p.stdout().map(AemProcessTest::utf8).collect(Collectors.joining()),
                        p.exit()));
        StepVerifier.create(run).assertNext(t -> {
            assertThat(t.getT1()).isEqualTo(expected.length());
            assertThat(t.getT2()).isEqualTo(expected);
            assertThat(t.getT3().isSuccess()).isTrue();
        }).expectComplete().verify(WAIT);
    }

    @Test
    void processSignalsAndExitOfASpawnedChild() {
        AemProcess p = aem.spawn(ProcessSpec.of("sleep", "30").withStdout(Redirect.DISCARD).withStderr(Redirect.DISCARD))
                .block(WAIT);
        assertThat(p.signal(0)).isTrue();
        p.kill();
        StepVerifier.create(p.exit()).assertNext(e -> assertThat(e.status()).isEqualTo(new ProcessExit.Killed(9)))
                .expectComplete().verify(WAIT);
        assertThat(Processes.state(p.pid())).isEqualTo('-');
        assertThat(p.signal(0)).isFalse();
    }
}
