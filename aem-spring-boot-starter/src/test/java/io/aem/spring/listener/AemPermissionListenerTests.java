package io.aem.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.aem.linux.fs.PermissionRequest;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.reactor.Aem;
import io.aem.spring.autoconfigure.AemAutoConfiguration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.publisher.Mono;

/**
 * Permission handlers: their result answers the request, and the requests they still hold when
 * the application stops are allowed at once. Needs CAP_SYS_ADMIN (fanotify permission events).
 */
@ExtendWith(FdLeakCheck.class)
class AemPermissionListenerTests {

    @TempDir
    Path vault;

    private ConfigurableApplicationContext start(Class<?> handlers, String... properties) throws Exception {
        Files.writeString(vault.resolve("open.txt"), "open");
        Files.writeString(vault.resolve("secret.txt"), "secret");
        ConfigurableApplicationContext context = new SpringApplicationBuilder(TestApplication.class, handlers)
                .web(WebApplicationType.NONE)
                .properties("spring.main.banner-mode=off", "test.vault=" + vault)
                .properties(properties)
                .run();
        Aem aem = context.getBean(Aem.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> aem.loops().stream().anyMatch(loop -> loop.streams().stream()
                .anyMatch(stream -> stream.sourceName().contains(vault.toString()))));
        for (EventLoop loop : aem.loops()) {
            CompletableFuture<Void> marksPlaced = new CompletableFuture<>();
            loop.execute(() -> marksPlaced.complete(null));
            marksPlaced.get(20, TimeUnit.SECONDS);
        }
        return context;
    }

    @Test
    void theHandlersBooleanResultAllowsOrDenies() throws Exception {
        try (ConfigurableApplicationContext context = start(Deciding.class)) {
            assertThat(Files.readString(vault.resolve("open.txt"))).isEqualTo("open");
            assertThatThrownBy(() -> Files.readString(vault.resolve("secret.txt")))
                    .isInstanceOf(FileSystemException.class).hasMessageContaining("Operation not permitted");
            assertThat(context.getBean(AemHandlerStats.class).handler("vault")).hasValueSatisfying(h -> {
                assertThat(h.completed()).isEqualTo(2);
                assertThat(h.errors()).isZero();
            });
        }
    }

    @Test
    void stopAllowsTheRequestsAHandlerStillHolds() throws Exception {
        ConfigurableApplicationContext context = start(Holding.class, "aem.shutdown.timeout=100ms");
        Holding holding = context.getBean(Holding.class);
        CompletableFuture<String> reader = CompletableFuture.supplyAsync(() -> {
            try {
                return Files.readString(vault.resolve("open.txt"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> holding.held.get() == 1);
        assertThat(reader).isNotDone();
        context.close();
        assertThat(reader).as("allowed by the stop, long before the 60 s deadline")
                .succeedsWithin(Duration.ofSeconds(20)).isEqualTo("open");
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @ImportAutoConfiguration(AemAutoConfiguration.class)
    static class TestApplication {
    }

    static class Deciding {
        @AemPermissionListener(id = "vault", path = "${test.vault}", deadline = "60s")
        boolean mayOpen(PermissionRequest request) {
            return !request.path().getFileName().toString().startsWith("secret");
        }
    }

    static class Holding {
        final AtomicInteger held = new AtomicInteger();

        @AemPermissionListener(path = "${test.vault}", deadline = "60s")
        Mono<Boolean> hold(PermissionRequest request) {
            held.incrementAndGet();
            return Mono.never();
        }
    }
}
