package io.aem.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.fs.FanotifyMark;
import io.aem.linux.fs.FanotifyWatch;
import io.aem.linux.fs.FileEventKind;
import io.aem.linux.fs.FileWatch;
import io.aem.linux.sys.Limits;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.reactor.Aem;
import io.aem.spring.autoconfigure.AemAutoConfiguration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.core.Disposable;

@ExtendWith(FdLeakCheck.class)
class AemHealthContributorAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AemAutoConfiguration.class,
                    AemHealthContributorAutoConfiguration.class));

    @Test
    void upWithLoopAndLimitDetailsWhileTheLoopsRun() {
        runner.withPropertyValues("aem.loops.count=2").run(context -> {
            assertThat(context).hasSingleBean(AemHealthIndicator.class).hasBean("aemHealthIndicator");
            Health health = context.getBean(AemHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            Map<String, Object> details = health.getDetails();
            assertThat(loops(details)).hasSize(2).allSatisfy(loop -> {
                assertThat(loop.get("alive")).isEqualTo(true);
                assertThat(loop.get("registrations")).isInstanceOf(Integer.class);
            });
            assertThat(loops(details)).extracting(loop -> loop.get("name")).containsExactly("aem-1", "aem-2");
            assertThat(usage(details, "fds").get("used")).asInstanceOf(
                    InstanceOfAssertFactories.LONG).isPositive();
            long[] nofile = Limits.rlimit(Limits.RLIMIT_NOFILE);
            if (nofile != null && nofile[0] > 0) {
                assertThat(usage(details, "fds")).containsEntry("limit", nofile[0]);
            }
            assertThat(usage(details, "inotifyWatches")).containsEntry("limit",
                    Long.parseLong(Limits.readProc("/proc/sys/fs/inotify/max_user_watches")));
            assertThat(usage(details, "fanotifyMarks")).containsKey("used");
            assertThat(details).containsEntry("lost", 0L).containsEntry("limitWarningRatio", 0.9)
                    .doesNotContainKey("limitsExceeded");
        });
    }

    @Test
    void inotifyWatchesOfTheProcessAreCounted(@TempDir Path dir) {
        runner.run(context -> {
            Aem aem = context.getBean(Aem.class);
            AemHealthIndicator indicator = context.getBean(AemHealthIndicator.class);
            long before = (Long) usage(indicator.health().getDetails(), "inotifyWatches").get("used");
            Disposable watch = aem.watch(FileWatch.directory(dir)).subscribe();
            try {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(usage(indicator.health().getDetails(), "inotifyWatches"))
                                .containsEntry("used", before + 1));
            } finally {
                watch.dispose();
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(usage(indicator.health().getDetails(), "inotifyWatches"))
                            .containsEntry("used", before));
        });
    }

    @Test
    void fanotifyMarksOfTheProcessAreCounted(@TempDir Path dir) {
        runner.run(context -> {
            Aem aem = context.getBean(Aem.class);
            AemHealthIndicator indicator = context.getBean(AemHealthIndicator.class);
            long before = (Long) usage(indicator.health().getDetails(), "fanotifyMarks").get("used");
            Disposable watch = aem.fanotify(FanotifyWatch.of(FanotifyMark.path(dir), FileEventKind.CREATE)).subscribe();
            try {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(usage(indicator.health().getDetails(), "fanotifyMarks"))
                                .containsEntry("used", before + 1));
            } finally {
                watch.dispose();
            }
        });
    }

    @Test
    void registeredWithSpringBootsHealthAsAem() {
        runner.withConfiguration(AutoConfigurations.of(HealthContributorRegistryAutoConfiguration.class))
                .run(context -> assertThat(context.getBean(HealthContributorRegistry.class).getContributor("aem"))
                        .isSameAs(context.getBean(AemHealthIndicator.class)));
    }

    @Test
    void downOnceTheLoopsAreClosed() {
        runner.run(context -> {
            context.getBean(Aem.class).close();
            Health health = context.getBean(AemHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(loops(health.getDetails())).singleElement().satisfies(loop -> {
                assertThat(loop).containsEntry("alive", false).containsEntry("registrations", null);
            });
        });
    }

    @Test
    void downWhenALimitIsUsedBeyondTheRatio() {
        runner.withPropertyValues("aem.health.limit-warning-ratio=1e-12").run(context -> {
            Health health = context.getBean(AemHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails()).containsEntry("limitWarningRatio", 1e-12);
            assertThat(health.getDetails().get("limitsExceeded")).asInstanceOf(
                    InstanceOfAssertFactories.LIST).contains("fds");
        });
    }

    @Test
    void aRatioAboveOneIsRefusedByName() {
        runner.withPropertyValues("aem.health.limit-warning-ratio=1.5").run(context ->
                assertThat(context).getFailure().rootCause()
                        .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                        .hasMessageContaining("aem.health.limit-warning-ratio"));
    }

    @Test
    void absentWithoutSpringBootHealth() {
        runner.withClassLoader(new FilteredClassLoader(Health.class))
                .run(context -> assertThat(context).hasSingleBean(Aem.class)
                        .doesNotHaveBean(AemHealthIndicator.class));
    }

    @Test
    void absentWithoutAem() {
        runner.withPropertyValues("aem.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(AemHealthIndicator.class));
    }

    @Test
    void disabledLikeSpringBootsOwnIndicators() {
        runner.withPropertyValues("management.health.aem.enabled=false")
                .run(context -> assertThat(context).hasSingleBean(Aem.class)
                        .doesNotHaveBean(AemHealthIndicator.class));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> loops(Map<String, Object> details) {
        return (List<Map<String, Object>>) details.get("loops");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> usage(Map<String, Object> details, String name) {
        return (Map<String, Object>) details.get(name);
    }
}
