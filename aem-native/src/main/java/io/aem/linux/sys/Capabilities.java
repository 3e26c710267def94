package io.aem.linux.sys;

import com.sun.jna.Memory;

/**
 * The calling thread's Linux capabilities ({@code capget(2)}). Capabilities are per thread in
 * the kernel, and {@code capable()} checks the thread making the call: ask on the thread that
 * will make it (for a source's {@code open}, the loop thread).
 */
public final class Capabilities {
    /** {@code CAP_DAC_READ_SEARCH}: bypass read and search checks; needed by {@code open_by_handle_at}. */
    public static final int CAP_DAC_READ_SEARCH = 2;
    /** {@code CAP_SYS_ADMIN}. */
    public static final int CAP_SYS_ADMIN = 21;

    private static final int VERSION_3 = 0x20080522;

    private Capabilities() {
    }

    /**
     * Whether the calling thread has the capability in its effective set. One system call.
     *
     * @param capability a {@code CAP_*} number
     * @return {@code true} if effective; {@code false} if not, or if {@code capget} failed
     */
    public static boolean effective(int capability) {
        try (Memory header = new Memory(8); Memory data = new Memory(24)) {
            header.setInt(0, VERSION_3);
            header.setInt(4, 0);
            if (LibC.capget(header, data) != 0) {
                return false;
            }
            return (data.getInt((capability / 32) * 12L) & (1 << (capability % 32))) != 0;
        }
    }
}
