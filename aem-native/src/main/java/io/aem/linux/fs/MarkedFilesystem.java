package io.aem.linux.fs;

import io.aem.linux.OwnedFd;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One filesystem that a watch marks: its id ({@code f_fsid}, as fanotify's file-id records carry
 * it), the fd that file handles of this filesystem are opened against, and the watch's marks on
 * it with the handle of each marked path (to name the object of a self event after it is gone).
 * Loop thread only.
 */
final class MarkedFilesystem implements AutoCloseable {
    private final long fsid;
    private final OwnedFd mountFd;
    private final List<FanotifyMark> marks = new ArrayList<>(1);
    private final List<FileHandle> handles = new ArrayList<>(1);
    private final List<Path> realPaths = new ArrayList<>(1);

    /**
     * @param fsid    the filesystem id
     * @param mountFd a directory of the filesystem opened for reading; owned from now on
     */
    MarkedFilesystem(long fsid, OwnedFd mountFd) {
        this.fsid = fsid;
        this.mountFd = mountFd;
    }

    long fsid() {
        return fsid;
    }

    OwnedFd mountFd() {
        return mountFd;
    }

    /**
     * @param mark     a mark on this filesystem
     * @param handle   the handle of its path
     * @param realPath its path with symbolic links resolved, as event paths are
     */
    void add(FanotifyMark mark, FileHandle handle, Path realPath) {
        marks.add(mark);
        handles.add(handle);
        realPaths.add(realPath);
    }

    /** The path mark whose marked object has this handle, or {@code null}. */
    FanotifyMark pathMarkOf(FileHandle handle) {
        for (int i = 0; i < marks.size(); i++) {
            if (marks.get(i).scope() == MarkScope.PATH && handles.get(i).equals(handle)) {
                return marks.get(i);
            }
        }
        return null;
    }

    /** The path of a mark of this filesystem with symbolic links resolved, as it was when the stream opened. */
    Path realPathOf(FanotifyMark mark) {
        return realPaths.get(marks.indexOf(mark));
    }

    /**
     * The mark an event on a path came through: the path mark of the path itself or of its
     * directory, else the first mount or filesystem mark, else the first mark.
     *
     * @param path    the event's path, or {@code null}
     * @param oldPath the old path of a rename, or {@code null}
     * @return the mark
     */
    FanotifyMark markFor(Path path, Path oldPath) {
        for (int i = 0; i < marks.size(); i++) {
            FanotifyMark m = marks.get(i);
            if (m.scope() == MarkScope.PATH && (covers(realPaths.get(i), path) || covers(realPaths.get(i), oldPath))) {
                return m;
            }
        }
        for (FanotifyMark m : marks) {
            if (m.scope() != MarkScope.PATH) {
                return m;
            }
        }
        return marks.get(0);
    }

    private static boolean covers(Path marked, Path path) {
        return path != null && (path.equals(marked) || marked.equals(path.getParent()));
    }

    /** Closes the mount fd (once; later calls do nothing). */
    @Override
    public void close() {
        mountFd.close();
    }
}
