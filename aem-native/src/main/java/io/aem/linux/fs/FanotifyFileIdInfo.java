package io.aem.linux.fs;

import io.aem.linux.sys.Fanotify;
import java.util.Objects;

/**
 * A file-id information record ({@code struct fanotify_event_info_fid}): the filesystem id, the
 * handle of an object and, for the {@code *_DFID_NAME} types, the name of an entry in the
 * directory the handle names ({@code "."} when the event is about that directory itself).
 *
 * @param type   {@link Fanotify#INFO_TYPE_FID}, {@link Fanotify#INFO_TYPE_DFID},
 *               {@link Fanotify#INFO_TYPE_DFID_NAME}, {@link Fanotify#INFO_TYPE_OLD_DFID_NAME}
 *               or {@link Fanotify#INFO_TYPE_NEW_DFID_NAME}
 * @param fsid   the 8 bytes of {@code __kernel_fsid_t} in native order, as {@code statfs(2)}'s
 *               {@code f_fsid}: which filesystem the handle belongs to
 * @param handle the object's handle (the directory's, for the {@code DFID} types)
 * @param name   the entry name for the named types; empty for {@code FID} and {@code DFID}
 */
public record FanotifyFileIdInfo(int type, long fsid, FileHandle handle, String name) implements FanotifyInfo {
    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException if {@code type} is not a file-id type
     * @throws NullPointerException     if {@code handle} or {@code name} is {@code null}
     */
    public FanotifyFileIdInfo {
        if (!isFileIdType(type)) {
            throw new IllegalArgumentException("info type " + type + " is not a file-id type");
        }
        Objects.requireNonNull(handle, "handle");
        Objects.requireNonNull(name, "name");
    }

    /** Whether records of this type carry a name after the handle. */
    public static boolean hasName(int type) {
        return type == Fanotify.INFO_TYPE_DFID_NAME || type == Fanotify.INFO_TYPE_OLD_DFID_NAME
                || type == Fanotify.INFO_TYPE_NEW_DFID_NAME;
    }

    /** Whether the type is one of the file-id types. */
    public static boolean isFileIdType(int type) {
        return type == Fanotify.INFO_TYPE_FID || type == Fanotify.INFO_TYPE_DFID || hasName(type);
    }
}
