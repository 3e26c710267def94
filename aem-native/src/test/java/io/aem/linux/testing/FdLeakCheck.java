package io.aem.linux.testing;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves file descriptors open: {@code /proc/self/fd} after the class
 * (and its {@code @AfterAll}) must equal what it was before. Closes happen on event-loop threads,
 * so the check waits up to ten seconds for them. Register with
 * {@code @ExtendWith(FdLeakCheck.class)} as the first extension of the class. TestNG classes
 * (the Reactive Streams TCK) do the same with {@link OpenFds#snapshot()} in {@code @BeforeClass}
 * and {@link OpenFds#awaitClosedSince} in {@code @AfterClass}.
 */
public final class FdLeakCheck implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(FdLeakCheck.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("before", OpenFds.snapshot());
    }

    @Override
    @SuppressWarnings("unchecked")
    public void afterAll(ExtensionContext context) {
        Map<Integer, String> before = (Map<Integer, String>) context.getStore(NS).get("before");
        OpenFds.awaitClosedSince(before, context.getDisplayName(), Duration.ofSeconds(10));
    }
}
