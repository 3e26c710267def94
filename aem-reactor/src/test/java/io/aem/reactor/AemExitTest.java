package io.aem.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.proc.NoSuchProcessException;
import io.aem.linux.proc.ProcessExit;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.ZombieCheck;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

@ExtendWith({FdLeakCheck.class, ZombieCheck.class})
class AemExitTest {
    private static Aem aem;

    @BeforeAll
    static void start() {
        aem = Aem.create(1);
    }

    @AfterAll
    static void stop() {
        aem.close();
    }

    @Test
    void exitOfANonChildIsOneExitWithItsCodeFromTheProcessConnector(@TempDir Path dir) throws Exception {
        Path go = dir.resolve("go");
        // The grandchild waits for the go file, created once the watch is open.
        Process shell = new ProcessBuilder("/bin/sh", "-c",
                "sh -c 'while [ ! -e " + go + " ]; do sleep 0.01; done; exit 3' & echo $!; wait")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .start();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(shell.getInputStream(), StandardCharsets.US_ASCII))) {
            long grandchild = Long.parseLong(out.readLine().trim());
            StepVerifier.create(aem.exitOf(grandchild))
                    .then(() -> {
                        CompletableFuture<Void> opened = new CompletableFuture<>();
                        aem.loops().get(0).execute(() -> opened.complete(null)); // after the watch's open
                        opened.join();
                        createFile(go);
                    })
                    .assertNext(exit -> {
                        assertThat(exit.pid()).isEqualTo(grandchild);
                        assertThat(exit.status()).isEqualTo(new ProcessExit.Exited(3));
                    })
                    .expectComplete()
                    .verify(Duration.ofSeconds(10));
            assertThat(shell.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            shell.destroyForcibly();
        }
    }

    @Test
    void exitOfAnUnknownPidIsNoSuchProcessException() {
        StepVerifier.create(aem.exitOf(Integer.MAX_VALUE))
                .expectError(NoSuchProcessException.class)
                .verify(Duration.ofSeconds(10));
    }

    private static void createFile(Path file) {
        try {
            Files.createFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
