package io.aem.linux.testing;

import java.time.Duration;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves a child of this JVM unreaped: the zombie children
 * ({@code /proc/<pid>/stat} with this JVM as parent and state {@code Z}) after the class (and its
 * {@code @AfterAll}) must be among those there were before it. Reaps happen on event-loop
 * threads, so the check waits up to ten seconds. Register with
 * {@code @ExtendWith(ZombieCheck.class)} on every class that starts processes.
 */
public final class ZombieCheck implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ZombieCheck.class);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("before", Processes.zombieChildren());
    }

    @Override
    @SuppressWarnings("unchecked")
    public void afterAll(ExtensionContext context) {
        Set<Long> before = (Set<Long>) context.getStore(NS).get("before");
        Awaitility.await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20)).atMost(WAIT)
                .untilAsserted(() -> {
                    Set<Long> left = Processes.zombieChildren();
                    left.removeAll(before);
                    if (!left.isEmpty()) {
                        throw new AssertionError(context.getDisplayName() + " left " + left.size()
                                + " child process(es) unreaped (zombies, pids " + left + ")");
                    }
                });
    }
}
