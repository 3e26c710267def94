package io.aem.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.proc.JobExit;
import io.aem.linux.proc.ProcessExit;
import io.aem.linux.proc.ProcessSpec;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.ZombieCheck;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

@ExtendWith({FdLeakCheck.class, ZombieCheck.class})
class AemJobsTest {
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
    void aFluxOfEventsBecomesAFluxOfTheirJobsExits() {
        StepVerifier.create(Flux.range(1, 6)
                        .transform(aem.jobs(n -> ProcessSpec.of("/bin/sh", "-c", "exit " + (n * 10)), 3))
                        .map(job -> job.event() * 10 == ((ProcessExit.Exited) job.exit().status()).code())
                        .all(Boolean::booleanValue))
                .expectNext(true)
                .expectComplete()
                .verify(Duration.ofSeconds(20));
    }

    @Test
    void upstreamIsAskedForNoMoreThanTheConcurrencyWhileTheSubscriberHasNoDemand() {
        AtomicLong asked = new AtomicLong();
        Flux<Integer> events = Flux.range(1, 100).doOnRequest(asked::addAndGet);
        StepVerifier.create(events.transform(aem.jobs(n -> ProcessSpec.of("/bin/true"), 4)), 0)
                .thenAwait(Duration.ofMillis(300))
                .then(() -> assertThat(asked.get()).isEqualTo(4))
                .thenRequest(2)
                .expectNextCount(2)
                .thenCancel()
                .verify(Duration.ofSeconds(20));
        assertThat(asked.get()).isLessThanOrEqualTo(6);
    }

    @Test
    void aJobThatCannotStartFailsTheFluxWithTheTypedError() {
        StepVerifier.create(Flux.just("x").transform(aem.jobs(s -> ProcessSpec.of("/nonexistent/aem-job"), 1)))
                .expectError(NoSuchFileException.class)
                .verify(Duration.ofSeconds(20));
    }

    @Test
    void aNonZeroExitIsAValueNotAnError() {
        StepVerifier.create(Flux.just("fail").transform(aem.jobs(s -> ProcessSpec.of("/bin/false"), 1)))
                .assertNext((JobExit<String> job) -> {
                    assertThat(job.event()).isEqualTo("fail");
                    assertThat(job.exit().status()).isEqualTo(new ProcessExit.Exited(1));
                })
                .expectComplete()
                .verify(Duration.ofSeconds(20));
    }
}
