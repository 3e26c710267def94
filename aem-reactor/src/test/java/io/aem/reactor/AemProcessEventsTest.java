package io.aem.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.proc.ProcEvent;
import io.aem.linux.proc.ProcEventKind;
import io.aem.linux.proc.ProcessEvents;
import io.aem.linux.proc.ProcessExit;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.ZombieCheck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.test.StepVerifier;

@ExtendWith({FdLeakCheck.class, ZombieCheck.class})
class AemProcessEventsTest {
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
    void theExitOfAProcessStartedAfterSubscribingArrivesWithItsCode() {
        AtomicLong started = new AtomicLong(-1);
        StepVerifier.create(aem.processEvents(ProcessEvents.of(ProcEventKind.EXIT))
                        .filter(e -> e instanceof ProcEvent.Exit x && x.pid() == started.get())
                        .take(1))
                .then(() -> aem.loops().get(0).execute(() -> {
                    // A task queued after the subscription's open: the socket already listens, and
                    // the exit cannot be filtered on this thread before the pid is set.
                    try {
                        started.set(new ProcessBuilder("/bin/sh", "-c", "exit 6").start().pid());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }))
                .assertNext(e -> assertThat(((ProcEvent.Exit) e).status()).isEqualTo(new ProcessExit.Exited(6)))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }
}
