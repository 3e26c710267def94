package io.aem.linux.fs;

import io.aem.linux.sys.Fanotify;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a {@link FanotifySource} watches: one or more {@link FanotifyMark}s, the kinds of access
 * reported on all of them, whether directories count, what an overflow does, and the size of one
 * read. Immutable; each {@code with*} method returns a copy. Values are checked here, so a watch
 * the kernel would refuse for its shape fails at once with an {@link IllegalArgumentException}
 * naming the value and the remedy; what only the kernel can judge (does the path exist, does the
 * filesystem support file ids) fails when the stream opens.
 *
 * <p><b>Kinds.</b> {@link FileEventKind#ACCESS}, {@link FileEventKind#MODIFY},
 * {@link FileEventKind#ATTRIBUTES}, {@link FileEventKind#OPEN}, {@link FileEventKind#OPEN_EXEC},
 * {@link FileEventKind#CLOSE_WRITE}, {@link FileEventKind#CLOSE_NOWRITE},
 * {@link FileEventKind#CREATE}, {@link FileEventKind#DELETE}, {@link FileEventKind#RENAME} (one
 * event with the old and the new path, {@code FAN_RENAME}, Linux 5.17),
 * {@link FileEventKind#MOVED_OUT} and {@link FileEventKind#MOVED_IN} (the two halves of every
 * move, {@code FAN_MOVED_FROM} and {@code FAN_MOVED_TO}, unpaired: fanotify has no cookie; for
 * kernels before 5.17), {@link FileEventKind#DELETE_SELF} and {@link FileEventKind#MOVE_SELF}.
 * {@link FileEventKind#OVERFLOW} is always reported, per {@link #overflowPolicy()}. A
 * {@link MarkScope#MOUNT} mark carries only the kinds that have a path at the time of the access
 * (access, modify, open, open-exec, the two closes): the kernel refuses the others on mount marks
 * in file-id mode, so ask them on a {@link MarkScope#FILESYSTEM} mark instead.
 *
 * <p><b>Defaults:</b> directories included ({@code FAN_ONDIR}: a {@code mkdir} is a
 * {@code CREATE}, opening a directory an {@code OPEN}), overflow {@link FanotifyOverflowPolicy#SIGNAL},
 * batches of {@value #DEFAULT_BATCH_SIZE} bytes (about 300 events of 100 bytes).
 */
public final class FanotifyWatch {
    /** Default bytes of one read. */
    public static final int DEFAULT_BATCH_SIZE = 32 * 1024;
    /** Smallest batch: the kernel refuses ({@code EINVAL}) a read too small for the next event, which can reach about 1 KiB. */
    public static final int MIN_BATCH_SIZE = 4096;
    /** Largest batch. */
    public static final int MAX_BATCH_SIZE = 16 * 1024 * 1024;

    private final List<FanotifyMark> marks;
    private final Set<FileEventKind> kinds;
    private final boolean directories;
    private final FanotifyOverflowPolicy overflowPolicy;
    private final int batchSize;

    private FanotifyWatch(List<FanotifyMark> marks, Set<FileEventKind> kinds, boolean directories,
                          FanotifyOverflowPolicy overflowPolicy, int batchSize) {
        this.marks = List.copyOf(marks);
        this.kinds = Set.copyOf(kinds);
        this.directories = directories;
        this.overflowPolicy = overflowPolicy;
        this.batchSize = batchSize;
    }

    /**
     * A watch of one mark.
     *
     * @param mark  what to mark
     * @param first a kind to report
     * @param more  more kinds
     * @return the watch, with the defaults
     * @throws IllegalArgumentException for a kind fanotify does not report, or one the mark's scope cannot carry
     */
    public static FanotifyWatch of(FanotifyMark mark, FileEventKind first, FileEventKind... more) {
        Objects.requireNonNull(first, "kind");
        EnumSet<FileEventKind> kinds = EnumSet.of(first);
        for (FileEventKind k : more) {
            kinds.add(Objects.requireNonNull(k, "kind"));
        }
        return of(List.of(Objects.requireNonNull(mark, "mark")), kinds);
    }

    /**
     * A watch of several marks, all reporting the same kinds.
     *
     * @param marks at least one, no mark twice
     * @param kinds at least one
     * @return the watch, with the defaults
     * @throws IllegalArgumentException for no marks, a repeated mark, no kinds, a kind fanotify
     *                                  does not report, or one a mark's scope cannot carry
     */
    public static FanotifyWatch of(Collection<FanotifyMark> marks, Set<FileEventKind> kinds) {
        Objects.requireNonNull(marks, "marks");
        Objects.requireNonNull(kinds, "kinds");
        List<FanotifyMark> list = new ArrayList<>(marks);
        EnumSet<FileEventKind> set = kinds.isEmpty() ? EnumSet.noneOf(FileEventKind.class) : EnumSet.copyOf(kinds);
        check(list, set);
        return new FanotifyWatch(list, set, true, FanotifyOverflowPolicy.SIGNAL, DEFAULT_BATCH_SIZE);
    }

    /**
     * Adds a mark.
     *
     * @param mark the mark, not already in the watch
     * @return a copy with the mark
     * @throws IllegalArgumentException if the mark is already there or its scope cannot carry the kinds
     */
    public FanotifyWatch withMark(FanotifyMark mark) {
        List<FanotifyMark> list = new ArrayList<>(marks);
        list.add(Objects.requireNonNull(mark, "mark"));
        check(list, kinds);
        return new FanotifyWatch(list, kinds, directories, overflowPolicy, batchSize);
    }

    /**
     * Whether events on directories are reported ({@code FAN_ONDIR}): creating, deleting, moving,
     * opening or changing the attributes of a directory. On by default.
     *
     * @param include {@code false} to report files only
     * @return a copy with the setting
     */
    public FanotifyWatch withDirectories(boolean include) {
        return new FanotifyWatch(marks, kinds, include, overflowPolicy, batchSize);
    }

    /**
     * What an overflow of the kernel's queue does.
     *
     * @param policy signal and continue (default), or fail
     * @return a copy with the policy
     */
    public FanotifyWatch withOverflowPolicy(FanotifyOverflowPolicy policy) {
        return new FanotifyWatch(marks, kinds, directories, Objects.requireNonNull(policy, "policy"), batchSize);
    }

    /**
     * The size of the buffer one {@code read(2)} fills: the most a subscription holds in Java
     * at a time.
     *
     * @param bytes from {@value #MIN_BATCH_SIZE} to {@value #MAX_BATCH_SIZE}
     * @return a copy with the size
     * @throws IllegalArgumentException outside that range
     */
    public FanotifyWatch withBatchSize(int bytes) {
        if (bytes < MIN_BATCH_SIZE || bytes > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("fanotify batch size " + bytes + " bytes is outside [" + MIN_BATCH_SIZE
                    + ", " + MAX_BATCH_SIZE + "]; below " + MIN_BATCH_SIZE + " a read can be too small for one event"
                    + " (the kernel answers EINVAL)");
        }
        return new FanotifyWatch(marks, kinds, directories, overflowPolicy, bytes);
    }

    /** The marks, in the order given. */
    public List<FanotifyMark> marks() {
        return marks;
    }

    /** The kinds reported (besides {@link FileEventKind#OVERFLOW}, always reported). */
    public Set<FileEventKind> kinds() {
        return kinds;
    }

    /** Whether events on directories are reported. */
    public boolean includesDirectories() {
        return directories;
    }

    /** What an overflow does. */
    public FanotifyOverflowPolicy overflowPolicy() {
        return overflowPolicy;
    }

    /** Bytes of one read. */
    public int batchSize() {
        return batchSize;
    }

    /** The event bits of the kinds, without flags. */
    long kindBits() {
        return FanotifyKinds.mask(kinds);
    }

    /** The {@code fanotify_mark} mask for a mark of this watch. */
    long markMask(FanotifyMark mark) {
        long mask = kindBits();
        if (directories) {
            mask |= Fanotify.FAN_ONDIR;
        }
        if (mark.scope() == MarkScope.PATH) {
            mask |= Fanotify.FAN_EVENT_ON_CHILD;
        }
        return mask;
    }

    private static void check(List<FanotifyMark> marks, Set<FileEventKind> kinds) {
        if (marks.isEmpty()) {
            throw new IllegalArgumentException("a fanotify watch needs at least one mark: FanotifyMark.path(dir),"
                    + " .mount(path) or .filesystem(path)");
        }
        for (int i = 0; i < marks.size(); i++) {
            FanotifyMark m = Objects.requireNonNull(marks.get(i), "mark");
            if (marks.subList(0, i).contains(m)) {
                throw new IllegalArgumentException("mark " + m.scope() + " " + m.path() + " is given twice; give each mark once");
            }
        }
        Set<FileEventKind> supported = FanotifyKinds.supported();
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("a fanotify watch needs at least one kind of event, out of " + supported);
        }
        for (FileEventKind k : kinds) {
            if (k == FileEventKind.OVERFLOW) {
                throw new IllegalArgumentException("OVERFLOW is always reported and cannot be asked for;"
                        + " choose what it does with withOverflowPolicy(SIGNAL or FAIL)");
            }
            if (!supported.contains(k)) {
                throw new IllegalArgumentException("fanotify does not report " + k + "; it reports " + supported
                        + (k == FileEventKind.UNMOUNT || k == FileEventKind.EXISTING || k == FileEventKind.LISTING_DONE
                        ? " (" + k + " comes from inotify watches)" : ""));
            }
        }
        for (FanotifyMark m : marks) {
            if (m.scope() != MarkScope.MOUNT) {
                continue;
            }
            Set<FileEventKind> refused = new TreeSet<>();
            for (FileEventKind k : kinds) {
                if ((FanotifyKinds.bit(k) & FanotifyKinds.MOUNT_MARK_EVENTS) == 0) {
                    refused.add(k);
                }
            }
            if (!refused.isEmpty()) {
                throw new IllegalArgumentException("a MOUNT mark (" + m.path() + ") cannot report " + refused
                        + " in file-id mode: the kernel refuses directory-entry and metadata events on mount marks"
                        + " (EINVAL); use FanotifyMark.filesystem(" + m.path() + ") for the whole filesystem, or"
                        + " FanotifyMark.path(dir) for one directory, or keep the mount mark for ACCESS, MODIFY,"
                        + " OPEN, OPEN_EXEC, CLOSE_WRITE and CLOSE_NOWRITE in a watch of its own");
            }
        }
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("fanotify ");
        for (int i = 0; i < marks.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(marks.get(i).scope()).append(' ').append(marks.get(i).path());
        }
        b.append(' ').append(new TreeSet<>(kinds));
        if (!directories) {
            b.append(" files only");
        }
        if (overflowPolicy != FanotifyOverflowPolicy.SIGNAL) {
            b.append(" overflow ").append(overflowPolicy);
        }
        return b.toString();
    }
}
