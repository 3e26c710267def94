package io.aem.spring.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Opens the fds the JDK opens lazily on first use and then keeps for the life of the JVM, so
 * that they exist before {@link io.aem.linux.testing.FdLeakCheck} takes its first snapshot:
 * <ul>
 *   <li>{@code /dev/random} and {@code /dev/urandom}, held by the default {@link SecureRandom}
 *       ({@code NativePRNG});</li>
 *   <li>one end of a Unix socket pair, held by NIO's file dispatcher to close channels safely
 *       (the first {@link FileChannel} opens it).</li>
 * </ul>
 * Spring opens both during the first context start-up, which would otherwise read as a leak of
 * the first test class that starts one. Register it before {@code FdLeakCheck}:
 * {@code @ExtendWith({ JdkFdsPreload.class, FdLeakCheck.class })}.
 */
public final class JdkFdsPreload implements BeforeAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        new SecureRandom().nextBytes(new byte[1]);
        try (FileChannel channel = FileChannel.open(Path.of("/proc/self/stat"))) {
            channel.size();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
