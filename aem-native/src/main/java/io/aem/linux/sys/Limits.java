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
     * The trimmed content of a {@code /proc} or {@code /sys} file, or {@code "unknown"}.
     *
     * <p>Read through a stream whose first read asks for a whole buffer: {@code /proc} files
     * report size 0, and {@link Files#readAllBytes} then reads one byte, then asks for the rest at
     * offset 1, where integer sysctls answer end-of-file ({@code "16384"} would read as {@code "1"}).
     */
    public static String readProc(String path) {
        try (InputStream in = Files.newInputStream(Path.of(path))) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
