package io.aem.linux.sys;

import com.sun.jna.Memory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the limits that error messages name, at failure time only (never on a hot path).
 */
public final class Limits {
    /** {@code RLIMIT_NOFILE}: the per-process open-file limit. */
    public static final int RLIMIT_NOFILE = 7;
    /** {@code RLIMIT_RTPRIO}: the ceiling of real-time priority without {@code CAP_SYS_NICE}. */
    public static final int RLIMIT_RTPRIO = 14;

    private static final long RLIM_INFINITY = -1L;

    private Limits() {
    }

    /**
     * The soft and hard values of a resource limit, or {@code null} when unreadable.
     *
     * @param resource an {@code RLIMIT_*} constant
     * @return {@code {soft, hard}}, with {@code -1} meaning unlimited
     */
    public static long[] rlimit(int resource) {
        try (Memory m = new Memory(16)) {
            if (LibC.getrlimit(resource, m) != 0) {
                return null;
            }
            return new long[] {m.getLong(0), m.getLong(8)};
        }
    }

    /** {@code "soft S, hard H"} for {@code RLIMIT_NOFILE}, for messages. */
    public static String openFilesDescription() {
        return describe(rlimit(RLIMIT_NOFILE));
    }

    /** {@code "soft S, hard H"} for a resource limit, for messages. */
    public static String describe(long[] limit) {
        if (limit == null) {
            return "unknown";
        }
        return "soft " + text(limit[0]) + ", hard " + text(limit[1]);
    }

    private static String text(long v) {
        return v == RLIM_INFINITY ? "unlimited" : Long.toString(v);
    }

    /**
     * The trimmed content of a {@code /proc} or {@code /sys} file (up to 4 KiB), or {@code "unknown"}.
     * Read into one buffer: such files report size 0, and a sysctl file read again at a non-zero
     * offset answers end-of-file, so reading a byte first (as {@code Files.readAllBytes} does for an
     * empty-looking file) would return only the first digit.
     */
    public static String readProc(String path) {
        try (InputStream in = Files.newInputStream(Path.of(path))) {
            byte[] buf = new byte[4096];
            int n = 0;
            int r;
            while (n < buf.length && (r = in.read(buf, n, buf.length - n)) > 0) {
                n += r;
            }
            return new String(buf, 0, n, StandardCharsets.US_ASCII).trim();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
