package io.aem.linux.testing;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.util.concurrent.ThreadFactory;

/**
 * Moves one thread into a new, empty network namespace ({@code unshare(CLONE_NEWNET)} is per
 * thread and allowed in a multi-threaded process; it needs {@code CAP_SYS_ADMIN}), so a test can
 * see what a loop in a container's own network namespace gets. Tests only.
 */
public final class NetworkNamespaces {
    private static final int CLONE_NEWNET = 0x40000000;

    static {
        Native.register(NetworkNamespaces.class, NativeLibrary.getInstance("c"));
    }

    private static native int unshare(int flags);

    private NetworkNamespaces() {
    }

    /** A thread factory whose threads enter a new network namespace before running anything. */
    public static ThreadFactory factoryInNewNamespace(String name) {
        return r -> {
            Thread t = new Thread(() -> {
                if (unshare(CLONE_NEWNET) != 0) {
                    throw new IllegalStateException("unshare(CLONE_NEWNET) failed: errno " + Native.getLastError());
                }
                r.run();
            }, name);
            t.setDaemon(true);
            return t;
        };
    }
}
