package io.aem.spring.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aem.linux.bpf.ProcessExitEvent;
import io.aem.linux.event.TimerTick;
import io.aem.linux.fs.FileEventKind;
import io.aem.linux.fs.MarkScope;
import io.aem.linux.fs.PermissionKind;
import io.aem.linux.proc.ProcEventKind;
import io.aem.linux.proc.ProcessExit;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.reactor.Aem;
import io.aem.spring.autoconfigure.AemAutoConfiguration;
import io.aem.spring.autoconfigure.AemProperties;
import io.aem.spring.listener.AemHandlerRegistry;
import io.aem.spring.listener.AemHandlerScheduler;
import io.aem.spring.listener.AemHandlerStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.unit.DataSize;

@ExtendWith(FdLeakCheck.class)
class AemSourcesAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AemAutoConfiguration.class));

    @TempDir
    Path dir;

    @Test
    void defaultsDeclareNoSourceAndRunTheRegistryWithBoundedElasticAndTenSeconds() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(AemSources.class).hasSingleBean(AemHandlerStats.class)
                    .hasSingleBean(AemHandlerRegistry.class);
            assertThat(context.getBean(AemSources.class).names()).isEmpty();
            assertThat(context.getBean(AemHandlerRegistry.class).isRunning()).isTrue();
            assertThat(context.getBean(AemHandlerStats.class).handlers()).isEmpty();
            AemProperties properties = context.getBean(AemProperties.class);
            assertThat(properties.getHandlers().getScheduler()).isEqualTo(AemHandlerScheduler.BOUNDED_ELASTIC);
            assertThat(properties.getShutdown().getTimeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(properties.getEvents().isPublish()).isFalse();
        });
    }

    @Test
    void everyFamilyIsBoundByName() {
        runner.withPropertyValues(
                "aem.sources.watch.inbox.path=" + dir, "aem.sources.watch.inbox.kinds=create,close-write",
                "aem.sources.watch.inbox.recursive=true", "aem.sources.watch.inbox.quiet-period=150ms",
                "aem.sources.timer.tick.period=20ms", "aem.sources.timer.tick.initial-delay=0",
                "aem.sources.command.job.argv=/bin/sh,-c,exit 3", "aem.sources.command.job.restart=on-failure",
                "aem.sources.process-events.procs.kinds=exit,nonzero-exit",
                "aem.sources.process-events.procs.receive-buffer=1MB",
                "aem.sources.fanotify.opens.path=" + dir, "aem.sources.fanotify.opens.scope=filesystem",
                "aem.sources.fanotify.opens.kinds=open,close-write",
                "aem.sources.permissions.gate.path=" + dir, "aem.sources.permissions.gate.kinds=open,open-exec",
                "aem.sources.permissions.gate.deadline=250ms",
                "aem.sources.bpf.exits.family=process-exits", "aem.sources.bpf.exits.filter.parent-pid=1",
                "aem.sources.bpf.exits.ring-size=64KB", "aem.sources.bpf.exits.publish-application-events=true")
                .run(context -> {
                    AemProperties.Sources bound = context.getBean(AemProperties.class).getSources();
                    assertThat(bound.getWatch().get("inbox").getKinds())
                            .containsExactly(FileEventKind.CREATE, FileEventKind.CLOSE_WRITE);
                    assertThat(bound.getWatch().get("inbox").isRecursive()).isTrue();
                    assertThat(bound.getWatch().get("inbox").getQuietPeriod()).isEqualTo(Duration.ofMillis(150));
                    assertThat(bound.getTimer().get("tick").getInitialDelay()).isZero();
                    assertThat(bound.getCommand().get("job").getArgv()).containsExactly("/bin/sh", "-c", "exit 3");
                    assertThat(bound.getCommand().get("job").getRestart())
                            .isEqualTo(CommandSourceProperties.Restart.ON_FAILURE);
                    assertThat(bound.getProcessEvents().get("procs").getKinds())
                            .containsExactly(ProcEventKind.EXIT, ProcEventKind.NONZERO_EXIT);
                    assertThat(bound.getProcessEvents().get("procs").getReceiveBuffer()).isEqualTo(DataSize.ofMegabytes(1));
                    assertThat(bound.getFanotify().get("opens").getScope()).isEqualTo(MarkScope.FILESYSTEM);
                    assertThat(bound.getBpf().get("exits").getFilter().getParentPid()).isEqualTo(1);
                    assertThat(bound.getBpf().get("exits").getRingSize()).isEqualTo(DataSize.ofKilobytes(64));

                    AemSources sources = context.getBean(AemSources.class);
                    assertThat(sources.names()).containsExactly("inbox", "tick", "job", "procs", "opens", "gate", "exits");
                    assertThat(bound.getPermissions().get("gate").getKinds())
                            .containsExactly(PermissionKind.OPEN, PermissionKind.OPEN_EXEC);
                    assertThat(bound.getPermissions().get("gate").getDeadline()).isEqualTo(Duration.ofMillis(250));
                    assertThat(sources.family("gate")).isEqualTo(AemSourceFamily.PERMISSIONS);
                    assertThat(sources.family("inbox")).isEqualTo(AemSourceFamily.WATCH);
                    assertThat(sources.family("tick")).isEqualTo(AemSourceFamily.TIMER);
                    assertThat(sources.family("job")).isEqualTo(AemSourceFamily.COMMAND);
                    assertThat(sources.family("procs")).isEqualTo(AemSourceFamily.PROCESS_EVENTS);
                    assertThat(sources.family("opens")).isEqualTo(AemSourceFamily.FANOTIFY);
                    assertThat(sources.family("exits")).isEqualTo(AemSourceFamily.BPF);
                    assertThat(sources.source("exits").eventType()).isEqualTo(ProcessExitEvent.class);
                    assertThat(sources.source("exits").publishesApplicationEvents()).isTrue();
                    assertThat(sources.source("inbox").publishesApplicationEvents()).isFalse();
                });
    }

    @Test
    void eventsPublishAppliesToEverySourceThatDoesNotSayOtherwise() {
        runner.withPropertyValues("aem.events.publish=true", "aem.sources.timer.a.period=1s",
                "aem.sources.timer.b.period=1s", "aem.sources.timer.b.publish-application-events=false").run(context -> {
                    AemSources sources = context.getBean(AemSources.class);
                    assertThat(sources.source("a").publishesApplicationEvents()).isTrue();
                    assertThat(sources.source("b").publishesApplicationEvents()).isFalse();
                    assertThat(context.getBean(AemHandlerStats.class).handlers())
                            .extracting(AemHandlerStats.Handler::id).containsExactly("application-events.a");
                });
    }

    @Test
    void declaredTimerTicksAndDeclaredCommandExitsWithItsCode() {
        runner.withPropertyValues("aem.sources.timer.tick.period=10ms",
                "aem.sources.command.job.argv=/bin/sh,-c,exit 3").run(context -> {
                    AemSources sources = context.getBean(AemSources.class);
                    List<TimerTick> ticks = sources.timer("tick").take(3).collectList().block(Duration.ofSeconds(10));
                    assertThat(ticks).hasSize(3);
                    List<ProcessExit> exits = sources.command("job").collectList().block(Duration.ofSeconds(10));
                    assertThat(exits).singleElement().extracting(ProcessExit::status)
                            .isEqualTo(new ProcessExit.Exited(3));
                });
    }

    @Test
    void commandWithRestartOnFailureRunsAgainAfterEachFailure() {
        runner.withPropertyValues("aem.sources.command.job.argv=/bin/sh,-c,exit 2",
                "aem.sources.command.job.restart=on-failure", "aem.sources.command.job.restart-delay=10ms").run(context -> {
                    List<ProcessExit> exits = context.getBean(AemSources.class).command("job").take(3)
                            .collectList().block(Duration.ofSeconds(20));
                    assertThat(exits).hasSize(3).allSatisfy(exit -> assertThat(exit.status())
                            .isEqualTo(new ProcessExit.Exited(2)));
                });
    }

    @Test
    void unknownNamesAndWrongFamiliesAreRefusedNamingTheSources() {
        runner.withPropertyValues("aem.sources.timer.tick.period=1s").run(context -> {
            AemSources sources = context.getBean(AemSources.class);
            assertThatThrownBy(() -> sources.flux("nope")).isInstanceOf(NoSuchElementException.class)
                    .hasMessageContaining("nope").hasMessageContaining("[tick]");
            assertThatThrownBy(() -> sources.watch("tick")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("timer source 'tick'");
        });
    }

    @Test
    void disabledAemHasNoSourcesNorHandlers() {
        runner.withPropertyValues("aem.enabled=false", "aem.sources.timer.tick.period=1s").run(context ->
                assertThat(context).doesNotHaveBean(AemSources.class).doesNotHaveBean(AemHandlerRegistry.class)
                        .doesNotHaveBean(AemHandlerStats.class));
    }

    @Test
    void sourcesOpenOnAUserDefinedAem() {
        runner.withBean("userAem", Aem.class, () -> Aem.create(1), bd -> bd.setDestroyMethodName("close"))
                .withPropertyValues("aem.sources.timer.tick.period=10ms").run(context -> {
                    assertThat(context).hasSingleBean(Aem.class).hasSingleBean(AemSources.class);
                    assertThat(context.getBean(AemSources.class).timer("tick").blockFirst(Duration.ofSeconds(10)))
                            .isNotNull();
                });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            aem.sources.watch.w.recursive=true           | aem.enabled=true                                 | aem.sources.watch.w.path
            aem.sources.watch.w.path=/tmp                | aem.sources.watch.w.kinds=open-exec              | aem.sources.watch.w.kinds
            aem.sources.watch.w.path=/tmp                | aem.sources.watch.w.quiet-period=0s              | aem.sources.watch.w.quiet-period
            aem.sources.timer.t.initial-delay=1s         | aem.enabled=true                                 | aem.sources.timer.t.period
            aem.sources.timer.t.period=0s                | aem.enabled=true                                 | aem.sources.timer.t.period
            aem.sources.timer.t.period=1s                | aem.sources.timer.t.initial-delay=-1s            | aem.sources.timer.t.initial-delay
            aem.sources.command.c.restart=always         | aem.enabled=true                                 | aem.sources.command.c.argv
            aem.sources.command.c.argv=/bin/true         | aem.sources.command.c.timeout=0s                 | aem.sources.command.c.timeout
            aem.sources.process-events.p.kinds=exit      | aem.sources.process-events.p.receive-buffer=0B   | aem.sources.process-events.p.receive-buffer
            aem.sources.fanotify.f.kinds=open            | aem.enabled=true                                 | aem.sources.fanotify.f.path
            aem.sources.fanotify.f.path=/tmp             | aem.enabled=true                                 | aem.sources.fanotify.f.kinds
            aem.sources.fanotify.f.path=/tmp             | aem.sources.fanotify.f.kinds=unmount             | aem.sources.fanotify.f.kinds
            aem.sources.permissions.g.path=/tmp          | aem.sources.permissions.g.deadline=0s            | aem.sources.permissions.g.deadline
            aem.sources.permissions.g.deadline=1s        | aem.enabled=true                                 | aem.sources.permissions.g.path
            aem.sources.bpf.b.filter.pid=1               | aem.enabled=true                                 | aem.sources.bpf.b.family
            aem.sources.bpf.b.family=process-exits       | aem.sources.bpf.b.ring-size=5000B                | aem.sources.bpf.b.ring-size
            aem.sources.bpf.b.family=process-exits       | aem.sources.bpf.b.filter.files=/tmp              | aem.sources.bpf.b.filter.files
            aem.sources.timer.same.period=1s             | aem.sources.watch.same.path=/tmp                 | aem.sources.timer.same
            aem.shutdown.timeout=-1s                     | aem.enabled=true                                 | aem.shutdown.timeout
            """)
    void invalidSourcePropertyFailsNamingTheProperty(String first, String second, String property) {
        runner.withPropertyValues(first, second).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                    .hasMessageContaining("Property " + property + " with value");
        });
    }
}
