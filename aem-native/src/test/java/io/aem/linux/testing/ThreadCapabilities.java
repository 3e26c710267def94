package io.aem.linux.testing;

import com.sun.jna.Memory;
import io.aem.linux.sys.LibC;
import java.util.concurrent.ThreadFactory;

/**
 * Drops Linux capabilities from one thread (capabilities are per thread in the kernel), so a
 * test running as root can see exactly what an unprivileged loop would get.
 */
public final class ThreadCapabilities {
    /** {@code CAP_SYS_NICE}: real-time scheduling. */
    public static final int CAP_SYS_NICE = 23;
    /** {@code CAP_WAKE_ALARM}: alarm clocks. */
    public static final int CAP_WAKE_ALARM = 35;

    private static final int VERSION_3 = 0x20080522;

    private ThreadCapabilities() {
    }

    /** Whether the calling thread has the capability in its effective set. */
    public static boolean has(int capability) {
        try (Memory header = new Memory(8); Memory data = new Memory(24)) {
            header.setInt(0, VERSION_3);
            header.setInt(4, 0);
            if (LibC.capget(header, data) != 0) {
                return false;
            }
            int word = capability / 32;
            return (data.getInt(word * 12L) & (1 << (capability % 32))) != 0;
        }
    }

    /** Removes the capability from the calling thread's effective and permitted sets, for good. */
    public static void drop(int capability) {
        try (Memory header = new Memory(8); Memory data = new Memory(24)) {
            header.setInt(0, VERSION_3);
            header.setInt(4, 0);
            if (LibC.capget(header, data) != 0) {
                throw new IllegalStateException("capget failed");
            }
            int word = capability / 32;
            int bit = 1 << (capability % 32);
            data.setInt(word * 12L, data.getInt(word * 12L) & ~bit);
            data.setInt(word * 12L + 4, data.getInt(word * 12L + 4) & ~bit);
            header.setInt(0, VERSION_3);
            header.setInt(4, 0);
            if (LibC.capset(header, data) != 0) {
                throw new IllegalStateException("capset failed: errno " + com.sun.jna.Native.getLastError());
            }
        }
    }

    /** A thread factory whose threads drop the capability before running anything. */
    public static ThreadFactory factoryWithout(int capability, String name) {
        return r -> {
            Thread t = new Thread(() -> {
                drop(capability);
                r.run();
            }, name);
            t.setDaemon(true);
            return t;
        };
    }
}
