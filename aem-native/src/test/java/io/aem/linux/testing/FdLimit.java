package io.aem.linux.testing;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import io.aem.linux.sys.Limits;

/** Lowers this JVM's soft {@code RLIMIT_NOFILE} for a moment, for tests of the fd-limit error. */
public final class FdLimit {
    static {
        Native.register(FdLimit.class, NativeLibrary.getInstance("c"));
    }

    private static native int setrlimit(int resource, com.sun.jna.Pointer rlimit);

    private FdLimit() {
    }

    /** Sets the soft limit, keeping the hard one; returns the previous soft limit. */
    public static long setSoft(long soft) {
        long[] now = Limits.rlimit(Limits.RLIMIT_NOFILE);
        try (Memory m = new Memory(16)) {
            m.setLong(0, soft);
            m.setLong(8, now[1]);
            if (setrlimit(Limits.RLIMIT_NOFILE, m) != 0) {
                throw new IllegalStateException("setrlimit(RLIMIT_NOFILE) failed: errno " + Native.getLastError());
            }
        }
        return now[0];
    }
}
