package io.aem.linux.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.source.SourcePublisher;
import io.aem.linux.testing.FdLeakCheck;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FdLeakCheck.class)
class SmokeTest {
    @Test
    void oneShotTimerTicksAndCompletes() throws Exception {
        try (EventLoop loop = EventLoop.open("smoke")) {
            CompletableFuture<TimerTick> tick = new CompletableFuture<>();
            CompletableFuture<Void> done = new CompletableFuture<>();
            new SourcePublisher<>(loop, new KernelTimer(TimerSpec.after(Duration.ofMillis(5)))).subscribe(new Flow.Subscriber<>() {
                public void onSubscribe(Flow.Subscription s) { s.request(10); }
                public void onNext(TimerTick t) { tick.complete(t); }
                public void onError(Throwable t) { done.completeExceptionally(t); }
                public void onComplete() { done.complete(null); }
            });
            assertThat(tick.get(5, TimeUnit.SECONDS).expirations()).isEqualTo(1);
            done.get(5, TimeUnit.SECONDS);
        }
    }
}
