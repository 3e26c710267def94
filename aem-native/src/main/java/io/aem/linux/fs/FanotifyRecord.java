package io.aem.linux.fs;

import java.util.List;
import java.util.Objects;

/**
 * One fanotify event as read from the kernel, before paths are resolved: the event bits, the
 * event fd ({@code FAN_NOFD} in file-id mode), the acting process and the information records.
 * The kernel merges events on the same object, so {@link #mask()} may hold several event bits.
 *
 * @param mask  the {@code FAN_*} event bits, with {@code FAN_ONDIR} when the subject is a directory
 * @param fd    an fd of the object, owned by the reader, or {@code FAN_NOFD}
 * @param pid   the acting process (or thread with {@code FAN_REPORT_TID}); {@code 0} when the
 *              kernel withholds it (outside this pid namespace, or an unprivileged group)
 * @param infos the information records in kernel order, unknown types left out
 */
public record FanotifyRecord(long mask, int fd, int pid, List<FanotifyInfo> infos) {
    /**
     * Copies the list.
     *
     * @throws NullPointerException if {@code infos} is or holds {@code null}
     */
    public FanotifyRecord {
        infos = List.copyOf(Objects.requireNonNull(infos, "infos"));
    }

    /** Whether every bit of {@code bits} is set in {@link #mask()}. */
    public boolean is(long bits) {
        return (mask & bits) == bits;
    }

    /**
     * The first file-id record of a type.
     *
     * @param type an {@code INFO_TYPE_*} file-id type
     * @return the record, or {@code null} if the event has none
     */
    public FanotifyFileIdInfo fileId(int type) {
        for (FanotifyInfo info : infos) {
            if (info.type() == type && info instanceof FanotifyFileIdInfo f) {
                return f;
            }
        }
        return null;
    }
}
