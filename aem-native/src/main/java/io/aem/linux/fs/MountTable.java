package io.aem.linux.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Which filesystem a path is on and where a mount is, from {@code /proc/self/mountinfo}: for
 * setup and error messages, never on a hot path.
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

    /**
     * The mount point of a mount, as this process sees it.
     *
     * @param mountId the mount id ({@code name_to_handle_at}'s {@code mount_id}, mountinfo's first field)
     * @return the mount point, or {@code null} when mountinfo has no such mount or cannot be read
     */
    static Path mountPoint(int mountId) {
        try {
            String id = Integer.toString(mountId);
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4 && f[0].equals(id)) {
                    return Path.of(unescape(f[4]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no mount point known
        }
        return null;
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
