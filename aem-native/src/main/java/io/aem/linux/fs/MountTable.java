package io.aem.linux.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Which filesystem a path is on, from {@code /proc/self/mountinfo}: for error messages only,
 * never on a hot path.
 */
final class MountTable {
    private MountTable() {
    }

    /**
     * The type and mount point of the filesystem holding a path, for example
     * {@code "tmpfs at /dev/shm"}, or {@code "an unknown filesystem"}.
     *
     * @param path an absolute path; symbolic links are followed when it exists
     * @return the description
     */
    static String describe(Path path) {
        Path real = path;
        try {
            real = path.toRealPath();
        } catch (IOException | RuntimeException e) {
            // keep the path as given
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        } catch (IOException | RuntimeException e) {
            return "an unknown filesystem";
        }
        String best = null;
        String bestType = null;
        for (String line : lines) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (f.length < 5 || dash < 0 || dash + 1 >= f.length) {
                continue;
            }
            String mountPoint = unescape(f[4]);
            if (real.startsWith(Path.of(mountPoint)) && (best == null || mountPoint.length() >= best.length())) {
                best = mountPoint;
                bestType = f[dash + 1];
            }
        }
        return best == null ? "an unknown filesystem" : bestType + " at " + best;
    }

    /** Undoes mountinfo's octal escapes ({@code \040} for a space). */
    private static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
