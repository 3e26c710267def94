package io.aem.linux.fs;

import com.sun.jna.Memory;
import io.aem.linux.OwnedFd;
import io.aem.linux.sys.Fanotify;
import io.aem.linux.sys.FileHandles;
import io.aem.linux.sys.Io;
import io.aem.linux.sys.Stat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The kernel objects and the decoding state of one subscription of a {@link FanotifySource}:
 * the marked filesystems with their mount fds, the path resolver, and the kinds of the last
 * record not yet delivered. Loop thread only.
 */
final class FanotifySession implements AutoCloseable {
    private final List<MarkedFilesystem> filesystems = new ArrayList<>(1);
    private final PathResolver resolver = new PathResolver();

    // The record being delivered, one kind at a time.
    private long heldKinds;
    private Path heldPath;
    private Path heldOldPath;
    private boolean heldDirectory;
    private int heldPid;
    private Optional<Path> heldExecutable = Optional.empty();
    private FanotifyMark heldMark;

    private FanotifySession() {
    }

    /**
     * Prepares every mark, then adds them to the group: each marked path is looked at through an
     * {@code O_PATH} fd (type, filesystem id, file handle), and each new filesystem gets its
     * mount fd (the marked directory, or the marked file's directory, opened for reading) before
     * any mark exists, so that the group does not report the source's own opens.
     *
     * @param watch the watch
     * @param group the fanotify group fd
     * @return the session
     * @throws IOException a typed error naming the path, the filesystem or the limit; everything
     *                     opened so far is closed
     */
    static FanotifySession open(FanotifyWatch watch, int group) throws IOException {
        FanotifySession s = new FanotifySession();
        try {
            for (FanotifyMark mark : watch.marks()) {
                s.prepare(mark);
            }
            for (FanotifyMark mark : watch.marks()) {
                int flags = Fanotify.FAN_MARK_ADD | scopeFlag(mark.scope());
                long mask = watch.markMask(mark);
                int r = Fanotify.mark(group, flags, mask, mark.path().toString());
                if (r < 0) {
                    throw FanotifyErrors.mark(-r, group, mark, flags, mask);
                }
            }
            return s;
        } catch (IOException | RuntimeException | Error e) {
            s.close();
            throw e;
        }
    }

    private static int scopeFlag(MarkScope scope) {
        switch (scope) {
            case MOUNT:
                return Fanotify.FAN_MARK_MOUNT;
            case FILESYSTEM:
                return Fanotify.FAN_MARK_FILESYSTEM;
            default:
                return Fanotify.FAN_MARK_INODE;
        }
    }

    private void prepare(FanotifyMark mark) throws IOException {
        Path path = mark.path();
        try (Memory name = FileNames.nativeString(path);
             Memory empty = new Memory(1);
             Memory stat = new Memory(Stat.STATX_SIZE);
             Memory handle = new Memory(FileHandles.HEADER_SIZE + FileHandles.MAX_HANDLE_SZ);
             Memory mountId = new Memory(4)) {
            empty.setByte(0, (byte) 0);
            int opath = FileHandles.openat(Io.AT_FDCWD, name, Io.O_PATH | Io.O_CLOEXEC);
            if (opath < 0) {
                throw FanotifyErrors.path("open", -opath, path);
            }
            try {
                int r = Stat.statx(opath, empty, FileHandles.AT_EMPTY_PATH, Stat.STATX_TYPE, stat);
                if (r < 0) {
                    throw FanotifyErrors.path("statx", -r, path);
                }
                boolean directory = (stat.getShort(Stat.STATX_MODE_OFFSET) & Stat.S_IFMT) == Stat.S_IFDIR;
                r = Stat.fstatfs(opath, stat);
                if (r < 0) {
                    throw FanotifyErrors.path("fstatfs", -r, path);
                }
                long fsid = stat.getLong(Stat.STATFS_FSID_OFFSET);
                handle.setInt(0, FileHandles.MAX_HANDLE_SZ);
                r = FileHandles.nameToHandle(opath, empty, handle, mountId, FileHandles.AT_EMPTY_PATH);
                if (r < 0) {
                    throw FanotifyErrors.path("name_to_handle_at", -r, path);
                }
                FileHandle own = new FileHandle(handle.getInt(4), handle.getByteArray(FileHandles.HEADER_SIZE, handle.getInt(0)));
                Path real = path.toRealPath();
                MarkedFilesystem fs = filesystem(fsid);
                if (fs == null) {
                    fs = openFilesystem(real, directory, fsid, mountId.getInt(0), stat);
                }
                int check = FileHandles.openByHandle(fs.mountFd().get(), handle, Io.O_PATH | Io.O_CLOEXEC);
                if (check < 0) {
                    throw FanotifyErrors.undecodableHandles(-check, path);
                }
                Io.close(check);
                fs.add(mark, own, real);
            } finally {
                Io.close(opath);
            }
        }
    }

    /**
     * Opens the mount fd of a filesystem not seen yet: the root directory of the marked path's
     * mount, which cannot be deleted while mounted. (An fd on the marked directory itself would
     * hold it, and the kernel reports {@code DELETE_SELF} only when the last reference goes.)
     * When the root cannot be opened as that mount, the marked directory, or the directory
     * holding the marked file.
     *
     * @param path    the marked path, symbolic links resolved
     * @param mountId the mount id of the marked path
     */
    private MarkedFilesystem openFilesystem(Path path, boolean directory, long fsid, int mountId, Memory stat)
            throws IOException {
        Path root = MountTable.mountPoint(mountId);
        if (root != null) {
            OwnedFd fd = openDirectory(root, fsid, mountId, stat);
            if (fd != null) {
                return add(new MarkedFilesystem(fsid, fd));
            }
        }
        Path dir = directory ? path : path.getParent();
        OwnedFd fd = openDirectory(dir, fsid, mountId, stat);
        if (fd == null) {
            throw FanotifyErrors.unsupportedFilesystem("fstatfs", 0, path, "is not the filesystem of its directory " + dir
                    + " (a file mounted over a directory entry); mark the file's own filesystem or the mount source");
        }
        return add(new MarkedFilesystem(fsid, fd));
    }

    private MarkedFilesystem add(MarkedFilesystem fs) {
        filesystems.add(fs);
        return fs;
    }

    /**
     * Opens a directory for reading if it is on the given filesystem and mount.
     *
     * @return the fd, or {@code null} (closed) when the directory is on another filesystem or mount
     * @throws IOException when it cannot be opened at all
     */
    private static OwnedFd openDirectory(Path dir, long fsid, int mountId, Memory stat) throws IOException {
        int fd;
        try (Memory name = FileNames.nativeString(dir)) {
            fd = FileHandles.openat(Io.AT_FDCWD, name, Io.O_RDONLY | Io.O_DIRECTORY | Io.O_CLOEXEC | Io.O_NONBLOCK);
        }
        if (fd < 0) {
            throw FanotifyErrors.path("open", -fd, dir);
        }
        OwnedFd owned = new OwnedFd(fd, "fanotify mount fd (" + dir + ")");
        try (Memory empty = new Memory(1); Memory handle = new Memory(FileHandles.HEADER_SIZE + FileHandles.MAX_HANDLE_SZ);
             Memory mount = new Memory(4)) {
            empty.setByte(0, (byte) 0);
            handle.setInt(0, FileHandles.MAX_HANDLE_SZ);
            int r = Stat.fstatfs(fd, stat);
            if (r < 0) {
                throw FanotifyErrors.path("fstatfs", -r, dir);
            }
            boolean sameFilesystem = stat.getLong(Stat.STATFS_FSID_OFFSET) == fsid;
            r = FileHandles.nameToHandle(fd, empty, handle, mount, FileHandles.AT_EMPTY_PATH);
            if (!sameFilesystem || r < 0 || mount.getInt(0) != mountId) {
                owned.close();
                return null;
            }
            return owned;
        } catch (IOException | RuntimeException e) {
            owned.close();
            throw e;
        }
    }

    private MarkedFilesystem filesystem(long fsid) {
        for (MarkedFilesystem fs : filesystems) {
            if (fs.fsid() == fsid) {
                return fs;
            }
        }
        return null;
    }

    /** Whether kinds of the last record are still to be delivered. */
    boolean holds() {
        return heldKinds != 0;
    }

    /**
     * Resolves a record's paths and executable once, and holds its kinds for delivery.
     *
     * @param record the record
     * @param kinds  its event bits that map to kinds, not {@code 0}
     * @throws IOException when a path cannot be looked up for want of a privilege or of descriptors
     */
    void hold(FanotifyRecord record, long kinds) throws IOException {
        FanotifyFileIdInfo dir = null;
        FanotifyFileIdInfo newDir = null;
        FanotifyFileIdInfo object = null;
        for (FanotifyInfo info : record.infos()) {
            if (info instanceof FanotifyFileIdInfo f) {
                switch (f.type()) {
                    case Fanotify.INFO_TYPE_FID:
                        object = object == null ? f : object;
                        break;
                    case Fanotify.INFO_TYPE_NEW_DFID_NAME:
                        newDir = newDir == null ? f : newDir;
                        break;
                    default:
                        dir = dir == null ? f : dir;
                }
            }
        }
        FanotifyFileIdInfo any = dir != null ? dir : object != null ? object : newDir;
        MarkedFilesystem fs = any == null ? null : filesystem(any.fsid());
        Path path = null;
        Path oldPath = null;
        FanotifyMark mark = null;
        if (fs != null) {
            int mountFd = fs.mountFd().get();
            if (newDir != null) {
                oldPath = entry(mountFd, dir);
                path = entry(mountFd, newDir);
            } else {
                path = entry(mountFd, dir);
                if (path == null && object != null) {
                    path = resolver.resolve(mountFd, object.handle());
                }
            }
            if (path == null) {
                FileHandle self = object != null ? object.handle()
                        : dir != null && (dir.name().isEmpty() || dir.name().equals(".")) ? dir.handle() : null;
                mark = self == null ? null : fs.pathMarkOf(self);
                path = mark == null ? null : fs.realPathOf(mark);
            }
            if (mark == null) {
                mark = fs.markFor(path, oldPath);
            }
        }
        heldKinds = kinds;
        heldPath = path;
        heldOldPath = oldPath;
        heldDirectory = record.is(Fanotify.FAN_ONDIR);
        heldPid = record.pid();
        heldExecutable = resolver.executable(record.pid());
        heldMark = mark;
    }

    /** The path of a directory entry: the directory's path and the name ({@code "."}: the directory). */
    private Path entry(int mountFd, FanotifyFileIdInfo info) throws IOException {
        if (info == null) {
            return null;
        }
        Path dir = resolver.resolve(mountFd, info.handle());
        if (dir == null || info.name().isEmpty() || info.name().equals(".")) {
            return dir;
        }
        return dir.resolve(info.name());
    }

    /** The next held kind as an event. */
    FileAccessEvent next() {
        int i = FanotifyKinds.first(heldKinds);
        heldKinds &= ~FanotifyKinds.bitAt(i);
        FileEventKind kind = FanotifyKinds.kindAt(i);
        return new FileAccessEvent(kind, heldPath, kind == FileEventKind.RENAME ? heldOldPath : null, heldDirectory,
                heldPid, heldExecutable, heldMark);
    }

    /** Closes the fds a record hands over: an event fd, pidfds. The source asks for neither; this is defence. */
    static void closeHandedOver(FanotifyRecord record) {
        if (record.fd() >= 0) {
            Io.close(record.fd());
        }
        for (FanotifyInfo info : record.infos()) {
            if (info instanceof FanotifyPidFdInfo p && p.pidfd() >= 0) {
                Io.close(p.pidfd());
            }
        }
    }

    /** Closes every mount fd and frees the resolver's memory. */
    @Override
    public void close() {
        heldKinds = 0;
        for (MarkedFilesystem fs : filesystems) {
            fs.close();
        }
        filesystems.clear();
        resolver.close();
    }
}
