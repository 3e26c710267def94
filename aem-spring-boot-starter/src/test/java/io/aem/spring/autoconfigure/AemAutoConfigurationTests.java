package io.aem.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.aem.linux.MissingPrivilegeException;
import io.aem.linux.event.TimerSpec;
import io.aem.linux.event.TimerTick;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopClosedException;
import io.aem.linux.loop.EventLoopOptions;
import io.aem.linux.loop.RealtimePolicy;
import io.aem.linux.sys.Sched;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.reactor.Aem;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.Disposable;

@ExtendWith(FdLeakCheck.class)
class AemAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AemAutoConfiguration.class));

    @Test
    void defaultsGiveOneRunningLoopNamedAem1() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(Aem.class).hasSingleBean(AemProperties.class);
            Aem aem = context.getBean(Aem.class);
            assertThat(aem.loops()).singleElement().satisfies(loop -> {
                assertThat(loop.name()).isEqualTo("aem-1");
                assertThat(loop.isClosed()).isFalse();
                assertThat(loop.thread().isAlive()).isTrue();
                assertThat(loop.thread().getName()).isEqualTo("aem-1");
                assertThat(loop.options().cpuAffinity()).isEmpty();
                assertThat(loop.options().realtimePolicy()).isNull();
                assertThat(loop.options().maxEventsPerWait()).isEqualTo(512);
            });
            TimerTick tick = aem.delay(Duration.ofMillis(5)).block(Duration.ofSeconds(5));
            assertThat(tick).isNotNull();
            assertThat(tick.expirations()).isEqualTo(1);
        });
    }

    @Test
    void loopPropertiesAreBound() {
        int cpu = Sched.affinity()[0];
        runner.withPropertyValues("aem.loops.count=2", "aem.loops.name-prefix=events",
                "aem.loops.cpu-affinity=" + cpu, "aem.loops.max-events-per-wait=64").run(context -> {
            Aem aem = context.getBean(Aem.class);
            assertThat(aem.loops()).extracting(EventLoop::name).containsExactly("events-1", "events-2");
            for (EventLoop loop : aem.loops()) {
                assertThat(loop.thread().getName()).isEqualTo(loop.name());
                assertThat(loop.options().maxEventsPerWait()).isEqualTo(64);
                assertThat(affinityOf(loop)).as("CPUs of loop %s", loop.name()).containsExactly(cpu);
            }
        });
    }

    @Test
    void realtimePolicyIsAppliedOrItsRefusalNamesTheMissingPrivilege() {
        runner.withPropertyValues("aem.loops.realtime.policy=round-robin", "aem.loops.realtime.priority=1")
                .run(context -> {
                    if (context.getStartupFailure() != null) {
                        assertThat(context.getStartupFailure()).rootCause()
                                .isInstanceOf(MissingPrivilegeException.class)
                                .hasMessageContaining("CAP_SYS_NICE");
                        return;
                    }
                    EventLoop loop = context.getBean(Aem.class).loops().get(0);
                    assertThat(loop.options().realtimePolicy()).isEqualTo(RealtimePolicy.ROUND_ROBIN);
                    assertThat(loop.options().realtimePriority()).isEqualTo(1);
                    CompletableFuture<Integer> policy = new CompletableFuture<>();
                    loop.execute(() -> policy.complete(Sched.scheduler()));
                    assertThat(policy.get(5, TimeUnit.SECONDS)).isEqualTo(Sched.SCHED_RR);
                });
    }

    @Test
    void disabledByProperty() {
        runner.withPropertyValues("aem.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(Aem.class).doesNotHaveBean(AemProperties.class));
    }

    @Test
    void backsOffOnOtherSystemsThanLinux() {
        runner.withSystemProperties("os.name=Mac OS X")
                .run(context -> assertThat(context).doesNotHaveBean(Aem.class));
    }

    @Test
    void userDefinedAemWins() {
        runner.withUserConfiguration(UserAemConfiguration.class).run(context -> {
            assertThat(context).hasSingleBean(Aem.class);
            assertThat(context.getBean(Aem.class).loops()).extracting(EventLoop::name).containsExactly("mine");
        });
    }

    @Test
    void closingTheContextClosesTheLoopsAndEndsLiveStreams() throws InterruptedException {
        AtomicReference<Aem> aem = new AtomicReference<>();
        CompletableFuture<Throwable> streamEnd = new CompletableFuture<>();
        runner.run(context -> {
            aem.set(context.getBean(Aem.class));
            Disposable ticks = aem.get().timer(TimerSpec.every(Duration.ofMillis(10)))
                    .subscribe(tick -> { }, streamEnd::complete, () -> streamEnd.complete(null));
            assertThat(ticks.isDisposed()).isFalse();
            assertThat(aem.get().isDisposed()).isFalse();
        });
        assertThat(aem.get().isDisposed()).isTrue();
        for (EventLoop loop : aem.get().loops()) {
            assertThat(loop.terminationFuture()).isDone();
            // the future completes as the thread's last act; the thread itself ends just after
            assertThat(awaitEnd(loop.thread())).as("loop thread ended").isFalse();
        }
        assertThat(streamEnd).succeedsWithin(Duration.ofSeconds(5)).isInstanceOf(EventLoopClosedException.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            aem.loops.realtime.policy=fifo        | aem.loops.realtime.priority=0   | aem.loops.realtime.priority
            aem.loops.realtime.policy=round-robin | aem.loops.realtime.priority=100 | aem.loops.realtime.priority
            aem.loops.realtime.policy=fifo        | aem.enabled=true                | aem.loops.realtime.priority
            aem.loops.realtime.policy=none        | aem.loops.realtime.priority=10  | aem.loops.realtime.priority
            aem.loops.count=0                     | aem.enabled=true                | aem.loops.count
            aem.loops.max-events-per-wait=0       | aem.enabled=true                | aem.loops.max-events-per-wait
            aem.loops.cpu-affinity=0,1024         | aem.enabled=true                | aem.loops.cpu-affinity
            aem.loops.name-prefix=               | aem.enabled=true                | aem.loops.name-prefix
            """)
    void invalidPropertyFailsNamingTheProperty(String first, String second, String property) {
        runner.withPropertyValues(first, second).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                    .hasMessageContaining("Property " + property + " with value");
        });
    }

    private static int[] affinityOf(EventLoop loop) throws Exception {
        CompletableFuture<int[]> cpus = new CompletableFuture<>();
        loop.execute(() -> cpus.complete(Sched.affinity()));
        return cpus.get(5, TimeUnit.SECONDS);
    }

    @Configuration(proxyBeanMethods = false)
    static class UserAemConfiguration {

        @Bean(destroyMethod = "close")
        Aem userAem() {
            return Aem.create(List.of(EventLoopOptions.defaults().withName("mine")));
        }
    }

    private static boolean awaitEnd(Thread thread) throws InterruptedException {
        thread.join(5_000);
        return thread.isAlive();
    }
}
