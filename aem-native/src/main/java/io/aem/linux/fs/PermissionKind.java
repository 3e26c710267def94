package io.aem.linux.fs;

import io.aem.linux.sys.Fanotify;

/**
 * What a process asks permission for, as fanotify's permission events name it. The process
 * stays inside the system call until the request is answered (by a subscriber, by the deadline,
 * or by the end of the subscription).
 */
public enum PermissionKind {
    /**
     * Opening a file (or, with directories included, a directory): {@code FAN_OPEN_PERM},
     * Linux 2.6.37. A denied open fails with {@code EPERM}.
     */
    OPEN(Fanotify.FAN_OPEN_PERM, "Linux 2.6.37"),
    /**
     * Reading an open file ({@code read(2)}, {@code readv}, {@code copy_file_range}, ...; for a
     * directory, listing it): {@code FAN_ACCESS_PERM}, Linux 2.6.37. Asked once per read call,
     * so a busy reader asks often. A denied read fails with {@code EPERM}.
     */
    ACCESS(Fanotify.FAN_ACCESS_PERM, "Linux 2.6.37"),
    /**
     * Opening a file to execute it ({@code execve}, {@code uselib}): {@code FAN_OPEN_EXEC_PERM},
     * Linux 5.0. A denied exec fails with {@code EPERM} (a shell reports exit status 126).
     */
    OPEN_EXEC(Fanotify.FAN_OPEN_EXEC_PERM, "Linux 5.0");

    private final long bit;
    private final String since;

    PermissionKind(long bit, String since) {
        this.bit = bit;
        this.since = since;
    }

    /** The {@code FAN_*_PERM} bit of the mark mask and of the event. */
    public long bit() {
        return bit;
    }

    /** The first kernel version that reports it, for messages. */
    public String since() {
        return since;
    }

    /**
     * The kind of a permission event's mask.
     *
     * @param mask the {@code mask} field of {@code struct fanotify_event_metadata}
     * @return the kind, or {@code null} when the mask holds no permission bit this enum knows
     */
    public static PermissionKind ofMask(long mask) {
        if ((mask & Fanotify.FAN_OPEN_PERM) != 0) {
            return OPEN;
        }
        if ((mask & Fanotify.FAN_OPEN_EXEC_PERM) != 0) {
            return OPEN_EXEC;
        }
        if ((mask & Fanotify.FAN_ACCESS_PERM) != 0) {
            return ACCESS;
        }
        return null;
    }
}
