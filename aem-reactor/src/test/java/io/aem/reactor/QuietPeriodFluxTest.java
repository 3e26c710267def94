package io.aem.reactor;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aem.linux.fs.FileEvent;
import io.aem.linux.fs.FileEventKind;
import io.aem.linux.testing.FdLeakCheck;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

@ExtendWith(FdLeakCheck.class)
class QuietPeriodFluxTest {
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
    void aSaveBurstBecomesOneEventAfterTheQuietPeriod() {
        Path f = Path.of("/w/f");
        Flux<FileEvent> burst = Flux.just(
                        FileEvent.of(FileEventKind.OPEN, f, false),
                        FileEvent.of(FileEventKind.MODIFY, f, false),
                        FileEvent.of(FileEventKind.CLOSE_WRITE, f, false))
                .concatWith(Flux.never());
        StepVerifier.create(burst.transform(aem.quietPeriod(Duration.ofMillis(100))))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(90))
                .expectNext(FileEvent.of(FileEventKind.CLOSE_WRITE, f, false))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void anUpstreamErrorIsPassedOnAtOnce() {
        Flux<FileEvent> failing = Flux.<FileEvent>just(FileEvent.of(FileEventKind.MODIFY, Path.of("/w/g"), false))
                .concatWith(Flux.error(new IllegalStateException("upstream failed")));
        StepVerifier.create(failing.transform(aem.quietPeriod(Duration.ofHours(1))))
                .expectErrorMessage("upstream failed")
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void aQuietPeriodThatIsNotPositiveIsRefusedAtAssembly() {
        assertThatThrownBy(() -> aem.quietPeriod(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
    }
}
