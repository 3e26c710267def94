package io.aem.linux.fs;

import io.aem.linux.KernelException;
import java.nio.file.Path;

/**
 * A filesystem cannot serve a fanotify watch in file-id mode: it has no filesystem id
 * ({@code ENODEV}; FUSE, tmpfs before Linux 5.13), cannot encode or decode file handles
 * ({@code EOPNOTSUPP}; proc, sysfs and other pseudo filesystems, for mount and filesystem marks),
 * or is a subvolume whose id differs from its filesystem's ({@code EXDEV}; btrfs). The message
 * names the filesystem type and its mount point.
 */
public class UnsupportedFilesystemException extends KernelException {
    private static final long serialVersionUID = 1L;

    private final transient Path path;
    private final String filesystem;

    /**
     * Creates the exception.
     *
     * @param call       the call that failed
     * @param errno      its {@code errno}
     * @param path       the marked path
     * @param filesystem the filesystem's type and mount point, for example {@code "proc at /proc"}
     * @param detail     what the filesystem lacks and what to mark instead
     */
    public UnsupportedFilesystemException(String call, int errno, Path path, String filesystem, String detail) {
        super(call, errno, path + " is on " + filesystem + ", which " + detail);
        this.path = path;
        this.filesystem = filesystem;
    }

    /** The marked path. */
    public Path path() {
        return path;
    }

    /** The filesystem's type and mount point, as in the message. */
    public String filesystem() {
        return filesystem;
    }
}
