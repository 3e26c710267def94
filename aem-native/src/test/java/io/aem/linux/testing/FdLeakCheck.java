package io.aem.linux.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.SecureRandom;
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
        preloadJdkFds();
        context.getStore(NS).put("before", OpenFds.snapshot());
    }

    /**
     * Opens the fds the JDK opens lazily on first use and keeps for the life of the JVM, so they
     * are in the first snapshot instead of reading as a leak of whichever class used them first:
     * {@code /dev/random} and {@code /dev/urandom} of the default {@link SecureRandom}, and the
     * socket pair NIO's file dispatcher keeps for closing channels (opened by the first
     * {@link FileChannel}).
     */
    private static void preloadJdkFds() {
        new SecureRandom().nextBytes(new byte[1]);
        try (FileChannel channel = FileChannel.open(Path.of("/proc/self/stat"))) {
            channel.size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void afterAll(ExtensionContext context) {
        Map<Integer, String> before = (Map<Integer, String>) context.getStore(NS).get("before");
        OpenFds.awaitClosedSince(before, context.getDisplayName(), Duration.ofSeconds(10));
    }
}
