package io.aem.linux.fs;

import io.aem.linux.sys.Inotify;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What to watch with inotify, and how: an immutable specification that
 * {@link InotifyWatchSource} (and aem-reactor's {@code Aem.watch}) turn into a stream of
 * {@link FileEvent}s.
 *
 * <pre>{@code
 * FileWatch watch = FileWatch.tree(Path.of("/srv/data"))
 *         .withKinds(FileEventKind.CREATE, FileEventKind.CLOSE_WRITE, FileEventKind.DELETE, FileEventKind.RENAME)
 *         .withOverflow(OverflowPolicy.RESCAN)
 *         .withExistingListed(true);
 * }</pre>
 *
 * <p>Start with {@link #file}, {@link #directory} or {@link #tree}; each {@code with...} method
 * returns a changed copy. The path is made absolute (against the working directory) and
 * normalized once, here; events carry paths below it. Nothing touches the file system until a
 * subscriber arrives. Invalid values are refused at once with an {@link IllegalArgumentException}
 * that names the value and what to use instead. Thread-safe (immutable).
 */
public final class FileWatch {
    /** The longest file name Linux allows ({@code NAME_MAX}). */
    private static final int NAME_MAX = 255;
    /** The smallest batch that holds any one inotify record: a header plus the longest name and its NUL. */
    public static final int MIN_BATCH_SIZE = Inotify.EVENT_HEADER_SIZE + NAME_MAX + 1;
    /** The largest batch accepted: 16 MiB; a read never needs more than the kernel queue holds. */
    public static final int MAX_BATCH_SIZE = 16 << 20;
    /** The default batch: 16 KiB, about 500 records with short names per read. */
    public static final int DEFAULT_BATCH_SIZE = 16 * 1024;
    /**
     * The default move-pairing grace: 10 ms. The kernel queues the two halves of a rename within
     * one {@code rename(2)} call, microseconds apart; the grace only covers a reader that read
     * between them while the renaming thread was preempted (a scheduler slice is a few
     * milliseconds). It delays nothing but the {@link FileEventKind#MOVED_OUT} of an entry that
     * really left, and only when no other event follows it.
     */
    public static final Duration DEFAULT_MOVE_PAIRING_GRACE = Duration.ofMillis(10);
    /** The longest move-pairing grace accepted: events queued after a move-out wait for it. */
    public static final Duration MAX_MOVE_PAIRING_GRACE = Duration.ofSeconds(10);

    private static final Set<FileEventKind> INOTIFY_KINDS = Collections.unmodifiableSet(EnumSet.of(
            FileEventKind.ACCESS, FileEventKind.MODIFY, FileEventKind.ATTRIBUTES, FileEventKind.OPEN,
            FileEventKind.CLOSE_WRITE, FileEventKind.CLOSE_NOWRITE, FileEventKind.CREATE, FileEventKind.DELETE,
            FileEventKind.RENAME, FileEventKind.MOVED_IN, FileEventKind.MOVED_OUT, FileEventKind.DELETE_SELF,
            FileEventKind.MOVE_SELF, FileEventKind.UNMOUNT));

    private final WatchScope scope;
    private final Path path;
    private final Set<FileEventKind> kinds;
    private final OverflowPolicy overflow;
    private final boolean existingListed;
    private final Duration movePairingGrace;
    private final int batchSize;

    private FileWatch(WatchScope scope, Path path, Set<FileEventKind> kinds, OverflowPolicy overflow,
            boolean existingListed, Duration movePairingGrace, int batchSize) {
        this.scope = scope;
        this.path = path;
        this.kinds = kinds;
        this.overflow = overflow;
        this.existingListed = existingListed;
        this.movePairingGrace = movePairingGrace;
        this.batchSize = batchSize;
    }

    private static FileWatch of(WatchScope scope, Path path) {
        Objects.requireNonNull(path, "path to watch");
        return new FileWatch(scope, path.toAbsolutePath().normalize(), INOTIFY_KINDS, OverflowPolicy.SIGNAL, false,
                DEFAULT_MOVE_PAIRING_GRACE, DEFAULT_BATCH_SIZE);
    }

    /**
     * One file (or a directory as one object): the events about it, with its path. See
     * {@link WatchScope#FILE}. A file replaced by a rename (as editors save) is a different file:
     * the watch reports {@link FileEventKind#DELETE_SELF} or {@link FileEventKind#MOVE_SELF} and its
     * stream completes.
     *
     * @param path the file; a symbolic link is followed
     * @return the specification, with every kind inotify reports
     */
    public static FileWatch file(Path path) {
        return of(WatchScope.FILE, path);
    }

    /**
     * A directory and its entries, one level: see {@link WatchScope#DIRECTORY}.
     *
     * @param path the directory; a symbolic link to a directory is followed
     * @return the specification, with every kind inotify reports
     */
    public static FileWatch directory(Path path) {
        return of(WatchScope.DIRECTORY, path);
    }

    /**
     * A directory and everything below it, recursively: see {@link WatchScope#TREE} and
     * {@link InotifyWatchSource} for how new, renamed and moved directories are followed.
     * Symbolic links inside the tree are reported as entries and not followed.
     *
     * @param path the root directory; a symbolic link to a directory is followed
     * @return the specification, with every kind inotify reports
     */
    public static FileWatch tree(Path path) {
        return of(WatchScope.TREE, path);
    }

    /**
     * Every kind inotify reports: {@code ACCESS, MODIFY, ATTRIBUTES, OPEN, CLOSE_WRITE,
     * CLOSE_NOWRITE, CREATE, DELETE, RENAME, MOVED_IN, MOVED_OUT, DELETE_SELF, MOVE_SELF, UNMOUNT};
     * the default of {@link #withKinds}.
     *
     * @return an unmodifiable set
     */
    public static Set<FileEventKind> inotifyKinds() {
        return INOTIFY_KINDS;
    }

    /**
     * Chooses the kinds to report. The kernel is asked only for these (plus what the source needs to
     * follow a tree, such as directory creations and moves, which are then read but not emitted).
     * {@link FileEventKind#OVERFLOW} is always reported (see {@link #withOverflow}),
     * {@link FileEventKind#EXISTING} and {@link FileEventKind#LISTING_DONE} come with
     * {@link #withExistingListed}; none of the three is chosen here.
     *
     * @param kinds at least one of {@link #inotifyKinds()}
     * @return the changed copy
     * @throws IllegalArgumentException for an empty set or a kind inotify cannot report, naming it
     */
    public FileWatch withKinds(Set<FileEventKind> kinds) {
        Objects.requireNonNull(kinds, "kinds");
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("no event kind chosen for the watch of " + path
                    + "; choose at least one, for example FileWatch.inotifyKinds() for all of them");
        }
        for (FileEventKind kind : kinds) {
            Objects.requireNonNull(kind, "kind");
            if (!INOTIFY_KINDS.contains(kind)) {
                throw new IllegalArgumentException(kind + " cannot be chosen for an inotify watch: " + remedy(kind));
            }
        }
        return new FileWatch(scope, path, Collections.unmodifiableSet(EnumSet.copyOf(kinds)), overflow, existingListed,
                movePairingGrace, batchSize);
    }

    /**
     * Chooses the kinds to report; see {@link #withKinds(Set)}.
     *
     * @param kinds at least one of {@link #inotifyKinds()}
     * @return the changed copy
     */
    public FileWatch withKinds(FileEventKind... kinds) {
        Objects.requireNonNull(kinds, "kinds");
        Set<FileEventKind> set = EnumSet.noneOf(FileEventKind.class);
        for (FileEventKind kind : kinds) {
            set.add(Objects.requireNonNull(kind, "kind"));
        }
        return withKinds(set);
    }

    private static String remedy(FileEventKind kind) {
        switch (kind) {
            case OPEN_EXEC:
                return "inotify does not tell an open for execution from another open; report OPEN here, or use a"
                        + " fanotify mark (FanotifyMark), which reports OPEN_EXEC";
            case OVERFLOW:
                return "an overflow is always reported; choose what it does with withOverflow(OverflowPolicy)";
            case EXISTING:
            case LISTING_DONE:
                return "the listing of existing entries is asked for with withExistingListed(true)";
            default:
                return "it is not one of FileWatch.inotifyKinds()";
        }
    }

    /**
     * Chooses what happens when the kernel's queue overflows; {@link OverflowPolicy#SIGNAL} by default.
     *
     * @param policy the policy
     * @return the changed copy
     */
    public FileWatch withOverflow(OverflowPolicy policy) {
        return new FileWatch(scope, path, kinds, Objects.requireNonNull(policy, "overflow policy"), existingListed,
                movePairingGrace, batchSize);
    }

    /**
     * Whether each subscription starts with a listing: once the watches are in place,
     * {@link FileEventKind#EXISTING} for every entry (recursively for a tree; the file itself for
     * a file watch), then {@link FileEventKind#LISTING_DONE}, then live events. An entry created
     * while the listing runs is reported once, as {@code EXISTING} or as {@code CREATE}, never as
     * both. {@code false} by default.
     *
     * @param listed whether to list
     * @return the changed copy
     */
    public FileWatch withExistingListed(boolean listed) {
        return new FileWatch(scope, path, kinds, overflow, listed, movePairingGrace, batchSize);
    }

    /**
     * How long an {@code IN_MOVED_FROM} that was the last record read waits for its
     * {@code IN_MOVED_TO} before it is reported as {@link FileEventKind#MOVED_OUT}; see
     * {@link #DEFAULT_MOVE_PAIRING_GRACE} for the default and why. The loop's timeouts have
     * millisecond resolution.
     *
     * @param grace from zero to {@link #MAX_MOVE_PAIRING_GRACE}
     * @return the changed copy
     * @throws IllegalArgumentException when negative or longer than the maximum
     */
    public FileWatch withMovePairingGrace(Duration grace) {
        Objects.requireNonNull(grace, "move pairing grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("move pairing grace must not be negative, was " + grace
                    + "; use Duration.ZERO to report an unpaired move-out as soon as the queue is empty");
        }
        if (grace.compareTo(MAX_MOVE_PAIRING_GRACE) > 0) {
            throw new IllegalArgumentException("move pairing grace " + grace + " is longer than the maximum "
                    + MAX_MOVE_PAIRING_GRACE + ": events after a move-out wait for it; the kernel queues both halves"
                    + " of a rename within microseconds, so a few milliseconds suffice (default "
                    + DEFAULT_MOVE_PAIRING_GRACE + ")");
        }
        return new FileWatch(scope, path, kinds, overflow, existingListed, grace, batchSize);
    }

    /**
     * Bytes of the batch buffer: one {@code read(2)} of the inotify fd fills at most this much, and
     * it is all a subscription keeps of what the kernel queued. {@link #DEFAULT_BATCH_SIZE} by default.
     *
     * @param bytes from {@link #MIN_BATCH_SIZE} (one record with the longest name) to {@link #MAX_BATCH_SIZE}
     * @return the changed copy
     * @throws IllegalArgumentException when out of range
     */
    public FileWatch withBatchSize(int bytes) {
        if (bytes < MIN_BATCH_SIZE) {
            throw new IllegalArgumentException("batch size " + bytes + " bytes cannot hold an inotify record with a"
                    + " long name: the kernel refuses reads into less than " + MIN_BATCH_SIZE + " bytes (16-byte header,"
                    + " NAME_MAX 255, NUL); use at least " + MIN_BATCH_SIZE + ", for example the default "
                    + DEFAULT_BATCH_SIZE);
        }
        if (bytes > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("batch size " + bytes + " bytes is above the maximum " + MAX_BATCH_SIZE
                    + "; a bigger batch only holds more events in Java: raise fs.inotify.max_queued_events instead to"
                    + " let the kernel hold more");
        }
        return new FileWatch(scope, path, kinds, overflow, existingListed, movePairingGrace, bytes);
    }

    /** What is watched: one file, one directory level, or a tree. */
    public WatchScope scope() {
        return scope;
    }

    /** The watched path: absolute and normalized. */
    public Path path() {
        return path;
    }

    /** The kinds reported, unmodifiable. */
    public Set<FileEventKind> kinds() {
        return kinds;
    }

    /** What an overflow of the kernel queue does. */
    public OverflowPolicy overflow() {
        return overflow;
    }

    /** Whether subscriptions start with a listing of the existing entries. */
    public boolean existingListed() {
        return existingListed;
    }

    /** How long an unpaired move-out waits for its other half. */
    public Duration movePairingGrace() {
        return movePairingGrace;
    }

    /** Bytes of the batch buffer. */
    public int batchSize() {
        return batchSize;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof FileWatch)) {
            return false;
        }
        FileWatch w = (FileWatch) o;
        return scope == w.scope && path.equals(w.path) && kinds.equals(w.kinds) && overflow == w.overflow
                && existingListed == w.existingListed && movePairingGrace.equals(w.movePairingGrace)
                && batchSize == w.batchSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(scope, path, kinds, overflow, existingListed, movePairingGrace, batchSize);
    }

    /** For example {@code "inotify TREE /srv/data"}, with the options that differ from the defaults. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("inotify ").append(scope).append(' ').append(path);
        if (!kinds.equals(INOTIFY_KINDS)) {
            sb.append(" kinds ").append(kinds);
        }
        if (overflow != OverflowPolicy.SIGNAL) {
            sb.append(" overflow ").append(overflow);
        }
        if (existingListed) {
            sb.append(" listing existing");
        }
        return sb.toString();
    }
}
