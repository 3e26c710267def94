package io.aem.linux.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves file descriptors open: {@code /proc/self/fd} after the class
 * (and its {@code @AfterAll}) must equal what it was before. Closes happen on event-loop threads,
 * so the check waits up to ten seconds for them. Register with
 * {@code @ExtendWith(FdLeakCheck.class)} as the first extension of the class.
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
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> leaked(before).isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // fall through to a precise assertion message
        }
        assertThat(leaked(before)).as("file descriptors %s left open by %s", "", context.getDisplayName()).isEmpty();
    }

    private static Map<Integer, String> leaked(Map<Integer, String> before) {
        Map<Integer, String> now = OpenFds.snapshot();
        Map<Integer, String> extra = new TreeMap<>();
        now.forEach((fd, target) -> {
            if (!target.equals(before.get(fd)) && !isJvmInternal(target)) {
                extra.put(fd, target);
            }
        });
        return extra;
    }

    /**
     * Files the JVM and its libraries open lazily and keep (jars, class data, native libraries,
     * libffi's trampoline file), and the directory being listed: not ours to close.
     */
    private static boolean isJvmInternal(String target) {
        return target.endsWith(".jar") || target.endsWith(".jsa") || target.endsWith(".so") || target.endsWith("/modules")
                || target.contains("/jna") || target.matches("/tmp/ffi\\w+ \\(deleted\\)") || target.matches("/proc/\\d+/fd");
    }
}
