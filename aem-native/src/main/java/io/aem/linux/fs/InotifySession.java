package io.aem.linux.fs;

import static io.aem.linux.sys.Inotify.IN_ACCESS;
import static io.aem.linux.sys.Inotify.IN_ATTRIB;
import static io.aem.linux.sys.Inotify.IN_CLOSE_NOWRITE;
import static io.aem.linux.sys.Inotify.IN_CLOSE_WRITE;
import static io.aem.linux.sys.Inotify.IN_CREATE;
import static io.aem.linux.sys.Inotify.IN_DELETE;
import static io.aem.linux.sys.Inotify.IN_DELETE_SELF;
import static io.aem.linux.sys.Inotify.IN_DONT_FOLLOW;
import static io.aem.linux.sys.Inotify.IN_IGNORED;
import static io.aem.linux.sys.Inotify.IN_ISDIR;
import static io.aem.linux.sys.Inotify.IN_MODIFY;
import static io.aem.linux.sys.Inotify.IN_MOVED_FROM;
import static io.aem.linux.sys.Inotify.IN_MOVED_TO;
import static io.aem.linux.sys.Inotify.IN_MOVE_SELF;
import static io.aem.linux.sys.Inotify.IN_ONLYDIR;
import static io.aem.linux.sys.Inotify.IN_OPEN;
import static io.aem.linux.sys.Inotify.IN_Q_OVERFLOW;
import static io.aem.linux.sys.Inotify.IN_UNMOUNT;

import io.aem.linux.Errno;
import io.aem.linux.OwnedFd;
import io.aem.linux.fs.WatchTable.Watch;
import io.aem.linux.loop.LoopTimeout;
import io.aem.linux.source.EventsLostException;
import io.aem.linux.source.SourceContext;
import io.aem.linux.sys.Inotify;
import io.aem.linux.sys.Limits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One subscription's inotify state: the watch table, the events the source made itself (scans,
 * resolved moves), the move waiting for its other half, and the listing in progress. The
 * behaviour is specified in {@link InotifyWatchSource}; this class implements it.
 *
 * <p><b>Order.</b> Events the source holds are always emitted before the next record is decoded,
 * and the records are decoded in kernel order; so the scan of a new directory is reported right
 * after its {@code CREATE}, and nothing read after a move's first half is reported before the move.
 * Scans of directories found by a scan run when the event naming them is emitted, and their
 * entries come next (depth first): a listing advances with demand and holds the unread entries of
 * the directories on its current path.
 *
 * <p>Loop thread only.
 */
final class InotifySession {
    /**
     * How long after a scan its names stay remembered at least, even when the queue was found
     * empty: a creating thread makes the entry visible to readers slightly before it queues the
     * {@code IN_CREATE} (the file system instantiates the entry, then notifies).
     */
    private static final long SCAN_SETTLE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int[] PLAIN_BITS = {IN_ACCESS, IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE, IN_CLOSE_NOWRITE, IN_OPEN};
    private static final FileEventKind[] PLAIN_KINDS = {FileEventKind.ACCESS, FileEventKind.MODIFY,
        FileEventKind.ATTRIBUTES, FileEventKind.CLOSE_WRITE, FileEventKind.CLOSE_NOWRITE, FileEventKind.OPEN};
    private static final int SELF_BITS = IN_ACCESS | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE | IN_OPEN
            | IN_UNMOUNT;
    private static final int STRUCTURE_BITS = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO;

    /**
     * An event the source made: a scan's entry, a resolved move, the second kind of a record.
     * {@code parent} is set for a directory found by a scan of a tree: it is watched and scanned
     * when the event is emitted.
     */
    private record Held(FileEvent event, Watch parent, String name) {
        Held(FileEvent event) {
            this(event, null, null);
        }
    }

    /** A listing or re-synchronisation in progress: the wds reached so far. */
    private static final class Walk {
        final Set<Integer> visited = new HashSet<>();
        final boolean purge;

        Walk(boolean purge) {
            this.purge = purge;
        }
    }

    /** An {@code IN_MOVED_FROM} that was the last record read, waiting for its other half. */
    private static final class PendingMove {
        final Watch from;
        final String name;
        final Path path;
        final boolean directory;
        final int cookie;
        LoopTimeout timer;

        PendingMove(Watch from, String name, Path path, boolean directory, int cookie) {
            this.from = from;
            this.name = name;
            this.path = path;
            this.directory = directory;
            this.cookie = cookie;
        }
    }

    private final FileWatch spec;
    private final SourceContext context;
    private final OwnedFd fd;
    private final String name;
    private final boolean tree;
    private final Set<FileEventKind> kinds;
    /** Whether moves matter: reported, or followed because the scope is a tree. */
    private final boolean followMoves;
    /** Whether reads of directories are reported, so that the source's own reads must be left out. */
    private final boolean reportsReads;
    private final int rootMask;
    private final int subdirectoryMask;
    private final WatchTable table = new WatchTable();
    private final ArrayDeque<Held> ready = new ArrayDeque<>();
    /** Cookies of {@code IN_MOVED_TO} records already reported, by look-ahead, with their first half. */
    private final Set<Integer> pairedCookies = new HashSet<>();
    /** Watches whose scanned names are remembered. */
    private final List<Watch> scannedWatches = new ArrayList<>();
    private Walk listing;
    private PendingMove pending;
    private boolean rootIsDirectory;
    private boolean finished;
    private boolean closed;

    InotifySession(FileWatch spec, SourceContext context, OwnedFd fd, String name) {
        this.spec = spec;
        this.context = context;
        this.fd = fd;
        this.name = name;
        this.tree = spec.scope() == WatchScope.TREE;
        this.kinds = spec.kinds();
        this.followMoves = tree || kinds.contains(FileEventKind.RENAME) || kinds.contains(FileEventKind.MOVED_IN)
                || kinds.contains(FileEventKind.MOVED_OUT);
        this.reportsReads = kinds.contains(FileEventKind.OPEN) || kinds.contains(FileEventKind.ACCESS)
                || kinds.contains(FileEventKind.CLOSE_NOWRITE);
        int mask = kernelMask(spec);
        this.rootMask = spec.scope() == WatchScope.FILE ? mask : mask | IN_ONLYDIR;
        this.subdirectoryMask = (mask & ~(IN_DELETE_SELF | IN_MOVE_SELF)) | IN_ONLYDIR | IN_DONT_FOLLOW;
    }

    /** The {@code IN_*} mask asked of the kernel: the chosen kinds plus what following the scope needs. */
    static int kernelMask(FileWatch spec) {
        int bits = 0;
        for (FileEventKind kind : spec.kinds()) {
            bits |= bits(kind);
        }
        bits |= IN_DELETE_SELF | IN_MOVE_SELF;
        if (spec.scope() != WatchScope.FILE && (bits & (IN_OPEN | IN_ACCESS | IN_CLOSE_NOWRITE)) != 0) {
            // the source's own reads of directories are recognised from their open to their close
            bits |= IN_OPEN | IN_CLOSE_NOWRITE;
        }
        switch (spec.scope()) {
            case FILE:
                return bits & (SELF_BITS | IN_DELETE_SELF | IN_MOVE_SELF);
            case DIRECTORY:
                // a CREATE of a listed name is a duplicate only until the name goes away again
                return spec.kinds().contains(FileEventKind.CREATE) ? bits | STRUCTURE_BITS : bits;
            default:
                return bits | STRUCTURE_BITS;
        }
    }

    private static int bits(FileEventKind kind) {
        switch (kind) {
            case ACCESS:
                return IN_ACCESS;
            case MODIFY:
                return IN_MODIFY;
            case ATTRIBUTES:
                return IN_ATTRIB;
            case OPEN:
                return IN_OPEN;
            case CLOSE_WRITE:
                return IN_CLOSE_WRITE;
            case CLOSE_NOWRITE:
                return IN_CLOSE_NOWRITE;
            case CREATE:
                return IN_CREATE;
            case DELETE:
                return IN_DELETE;
            case RENAME:
            case MOVED_IN:
            case MOVED_OUT:
                return IN_MOVED_FROM | IN_MOVED_TO;
            case DELETE_SELF:
                return IN_DELETE_SELF;
            case MOVE_SELF:
                return IN_MOVE_SELF;
            case UNMOUNT:
                return IN_UNMOUNT;
            default:
                return 0;
        }
    }

    // ---- start ----

    /** Watches the root, and the whole tree for a tree; starts the listing if asked. */
    void start() throws IOException {
        Path root = spec.path();
        boolean directoryRequired = spec.scope() != WatchScope.FILE;
        int wd = Inotify.addWatch(fd.get(), root.toString(), rootMask);
        if (wd < 0) {
            throw InotifyErrors.addWatchFailure(-wd, root, directoryRequired, false);
        }
        table.addRoot(wd, root);
        rootIsDirectory = directoryRequired || Files.isDirectory(root);
        if (spec.existingListed()) {
            beginListing(false);
        } else if (tree) {
            Walk walk = new Walk(false);
            walk.visited.add(wd);
            watchSilently(table.root(), walk);
        }
    }

    // ---- decoding ----

    /** Whether events made by the source wait for emission. */
    boolean holdsEvents() {
        return !ready.isEmpty();
    }

    /** See {@link io.aem.linux.source.EventSource#decode}: held events first, then records in order. */
    FileEvent decode(ByteBuffer batch) throws IOException {
        for (;;) {
            Held held = ready.poll();
            if (held != null) {
                return emit(held);
            }
            if (!batch.hasRemaining()) {
                return null;
            }
            if (pending != null) {
                // consumes nothing: with no event to show (a kind not chosen), go on to the records
                FileEvent resolved = resolvePending(batch);
                if (resolved != null) {
                    return resolved;
                }
                continue;
            }
            FileEvent event = handle(InotifyRecords.next(batch), batch);
            if (event != null) {
                return event;
            }
            if (ready.isEmpty()) {
                return null; // the record was consumed
            }
        }
    }

    private FileEvent emit(Held held) throws IOException {
        if (held.parent != null) {
            Watch dir = addChildWatch(held.parent, held.name, listing);
            if (dir != null) {
                if (listing != null) {
                    scan(dir, FileEventKind.EXISTING);
                } else {
                    followNew(dir);
                }
            }
        }
        if (listing != null && ready.isEmpty()) {
            finishListing();
        }
        return held.event;
    }

    private FileEvent handle(InotifyRecord record, ByteBuffer batch) throws IOException {
        int mask = record.mask();
        if (finished) {
            return null;
        }
        if ((mask & IN_Q_OVERFLOW) != 0) {
            return overflow();
        }
        if ((mask & IN_IGNORED) != 0) {
            return ignored(record.wd());
        }
        if ((mask & IN_MOVED_TO) != 0 && !pairedCookies.isEmpty() && pairedCookies.remove(record.cookie())) {
            return null;
        }
        Watch watch = table.get(record.wd());
        if (watch == null) {
            return null; // a watch removed from this side; its IN_IGNORED is on the way
        }
        boolean directory = (mask & IN_ISDIR) != 0;
        String entry = record.name();
        if (entry.isEmpty()) {
            return self(watch, mask, directory);
        }
        if (spec.scope() == WatchScope.FILE) {
            return null; // an entry of a directory watched as one object
        }
        if ((mask & IN_MOVED_FROM) != 0) {
            return movedFrom(watch, entry, directory, record.cookie(), batch);
        }
        if ((mask & IN_MOVED_TO) != 0) {
            return movedIn(watch, entry, directory);
        }
        if ((mask & IN_CREATE) != 0) {
            return created(watch, entry, directory);
        }
        if ((mask & IN_DELETE) != 0) {
            watch.consumeScanned(entry);
            return event(FileEventKind.DELETE, watch.path().resolve(entry), directory);
        }
        if (directory && reportsReads) {
            Watch subject = table.child(watch, entry);
            if (subject != null && subject.hasOwnReads()) {
                mask = subject.withoutOwnReads(mask);
            }
        }
        return plain(mask, watch.path().resolve(entry), directory);
    }

    /** The kernel dropped a watch: forget it; the root's ends the stream. */
    private FileEvent ignored(int wd) throws IOException {
        Watch w = table.get(wd);
        Watch parent = w == null ? null : w.parent();
        Watch gone = table.ignored(wd);
        if (gone == null) {
            return null;
        }
        if (gone == table.root()) {
            finish();
        } else if (gone.unmounted() && parent != null && table.get(parent.wd) == parent) {
            // A file system mounted inside the tree went away: the directory it covered is visible
            // again at the same path. Watch it (and below) without events: nothing was created.
            Watch uncovered = addChildWatch(parent, gone.name(), null);
            if (uncovered != null) {
                watchSilently(uncovered, null);
            }
        }
        return null;
    }

    /** An event about a watched object itself (empty name). */
    private FileEvent self(Watch watch, int mask, boolean directory) {
        if (watch != table.root()) {
            // A subdirectory: its parent's watch reports it under its name; only an unmount is its own.
            if ((mask & IN_UNMOUNT) == 0) {
                return null;
            }
            watch.markUnmounted();
            return event(FileEventKind.UNMOUNT, watch.path(), true);
        }
        boolean dir = directory || rootIsDirectory;
        if ((mask & IN_MOVE_SELF) != 0) {
            FileEvent e = event(FileEventKind.MOVE_SELF, watch.path(), dir);
            finish(); // nothing lives at the watched path any more
            return e;
        }
        if ((mask & IN_DELETE_SELF) != 0) {
            return event(FileEventKind.DELETE_SELF, watch.path(), dir);
        }
        if ((mask & IN_UNMOUNT) != 0) {
            return event(FileEventKind.UNMOUNT, watch.path(), dir);
        }
        if (watch.hasOwnReads()) {
            mask = watch.withoutOwnReads(mask);
        }
        return plain(mask, watch.path(), dir);
    }

    /** ACCESS, MODIFY, ATTRIBUTES, the closes and OPEN: one event per bit (a change of size and mode is one record). */
    private FileEvent plain(int mask, Path path, boolean directory) {
        FileEvent first = null;
        for (int i = 0; i < PLAIN_BITS.length; i++) {
            if ((mask & PLAIN_BITS[i]) != 0 && kinds.contains(PLAIN_KINDS[i])) {
                FileEvent e = FileEvent.of(PLAIN_KINDS[i], path, directory);
                if (first == null) {
                    first = e;
                } else {
                    ready.add(new Held(e));
                }
            }
        }
        return first;
    }

    private FileEvent created(Watch parent, String entry, boolean directory) throws IOException {
        if (parent.consumeScanned(entry)) {
            return null; // a scan reported it already (and watched it, if a directory)
        }
        FileEvent e = event(FileEventKind.CREATE, parent.path().resolve(entry), directory);
        if (directory && tree) {
            Watch dir = addChildWatch(parent, entry, null);
            if (dir != null) {
                followNew(dir);
            }
        }
        return e;
    }

    private FileEvent movedIn(Watch parent, String entry, boolean directory) throws IOException {
        if (parent.consumeScanned(entry) || !followMoves) {
            return null; // a scan reported it already, or moves are neither reported nor followed
        }
        FileEvent e = event(FileEventKind.MOVED_IN, parent.path().resolve(entry), directory);
        if (directory && tree) {
            Watch dir = addChildWatch(parent, entry, null);
            if (dir != null) {
                followNew(dir);
            }
        }
        return e;
    }

    private FileEvent movedFrom(Watch from, String entry, boolean directory, int cookie, ByteBuffer batch)
            throws IOException {
        from.consumeScanned(entry);
        if (!followMoves) {
            return null;
        }
        Path old = from.path().resolve(entry);
        int at = findMovedTo(batch, cookie);
        if (at >= 0) {
            return pairedAt(from, entry, old, directory, cookie, batch, at);
        }
        if (!batch.hasRemaining()) {
            PendingMove move = new PendingMove(from, entry, old, directory, cookie);
            move.timer = context.loop().schedule(() -> graceEnded(move), spec.movePairingGrace().toNanos(),
                    TimeUnit.NANOSECONDS);
            pending = move;
            return null;
        }
        return movedOut(from, entry, old, directory);
    }

    /** The pending move meets the next batch: its pair is in it, or it left the tree. */
    private FileEvent resolvePending(ByteBuffer batch) throws IOException {
        PendingMove move = pending;
        pending = null;
        move.timer.cancel();
        int at = findMovedTo(batch, move.cookie);
        if (at >= 0) {
            return pairedAt(move.from, move.name, move.path, move.directory, move.cookie, batch, at);
        }
        return movedOut(move.from, move.name, move.path, move.directory);
    }

    /** The grace period of a pending move ended with nothing read: it left the tree. */
    private void graceEnded(PendingMove move) {
        if (closed || pending != move) {
            return;
        }
        pending = null;
        FileEvent e = movedOut(move.from, move.name, move.path, move.directory);
        if (e != null) {
            ready.add(new Held(e));
        }
        context.readAgain();
    }

    /** The offset of the {@code IN_MOVED_TO} with this cookie among the records left in the batch, or -1. */
    private static int findMovedTo(ByteBuffer batch, int cookie) {
        int at = batch.position();
        int limit = batch.limit();
        while (limit - at >= Inotify.EVENT_HEADER_SIZE) {
            int mask = batch.getInt(at + 4);
            int len = batch.getInt(at + 12);
            if ((mask & IN_MOVED_TO) != 0 && batch.getInt(at + 8) == cookie) {
                return at;
            }
            if (len < 0 || len > limit - at - Inotify.EVENT_HEADER_SIZE) {
                return -1; // malformed: the decoder reports it when it gets there
            }
            at += Inotify.EVENT_HEADER_SIZE + len;
        }
        return -1;
    }

    private FileEvent pairedAt(Watch from, String entry, Path old, boolean directory, int cookie, ByteBuffer batch, int at)
            throws IOException {
        int position = batch.position();
        batch.position(at);
        InotifyRecord to = InotifyRecords.next(batch);
        batch.position(position);
        pairedCookies.add(cookie);
        Watch toWatch = table.get(to.wd());
        if (toWatch == null) {
            return movedOut(from, entry, old, directory); // into a directory no longer watched
        }
        String newName = to.name();
        toWatch.consumeScanned(newName);
        if (directory && tree) {
            Watch moved = table.child(from, entry);
            if (moved != null) {
                table.move(moved, toWatch, newName);
            } else {
                Watch dir = addChildWatch(toWatch, newName, null);
                if (dir != null) {
                    followNew(dir);
                }
            }
        }
        Path path = toWatch.path().resolve(newName);
        return kinds.contains(FileEventKind.RENAME) ? new FileEvent(FileEventKind.RENAME, path, old, directory) : null;
    }

    private FileEvent movedOut(Watch from, String entry, Path old, boolean directory) {
        if (directory && tree) {
            Watch moved = table.child(from, entry);
            if (moved != null) {
                removeSubtree(moved);
            }
        }
        return event(FileEventKind.MOVED_OUT, old, directory);
    }

    private FileEvent overflow() throws IOException {
        context.reportLoss(1);
        clearScanned();
        switch (spec.overflow()) {
            case ERROR:
                throw new EventsLostException(name, -1, "the kernel's queue for this watch filled up"
                        + " (fs.inotify.max_queued_events = " + Limits.readProc(InotifyErrors.MAX_QUEUED_EVENTS)
                        + ") while the subscriber had no demand or was too slow; request more, move slow work off"
                        + " the loop thread (publishOn), raise fs.inotify.max_queued_events, or choose"
                        + " OverflowPolicy.SIGNAL or RESCAN to go on after a loss");
            case RESCAN:
                beginListing(true);
                break;
            default:
                if (tree) {
                    Walk walk = new Walk(true);
                    walk.visited.add(table.root().wd);
                    watchSilently(table.root(), walk);
                    purge(walk);
                }
        }
        return FileEvent.of(FileEventKind.OVERFLOW, spec.path(), rootIsDirectory);
    }

    private void finish() {
        finished = true;
        context.completeAfterBatch();
    }

    private FileEvent event(FileEventKind kind, Path path, boolean directory) {
        return kinds.contains(kind) ? FileEvent.of(kind, path, directory) : null;
    }

    // ---- watching and scanning ----

    /**
     * Watches the entry {@code entry} of {@code parent}, a directory. The watch is in place before
     * anything of the directory is read.
     *
     * @param walk the listing or re-synchronisation in progress, or {@code null} for a new directory
     * @return the watch to scan, or {@code null} when there is nothing to scan: the directory
     *         vanished or is no longer one, or it is watched already through another path (a bind
     *         mount) or reached before in this walk
     */
    private Watch addChildWatch(Watch parent, String entry, Walk walk) throws IOException {
        Path path = parent.path().resolve(entry);
        for (int attempt = 0;; attempt++) {
            int wd = Inotify.addWatch(fd.get(), path.toString(), subdirectoryMask);
            if (wd < 0) {
                if (wd == -Errno.ENOENT || wd == -Errno.ENOTDIR) {
                    return null; // gone or replaced: the parent's records say what happened
                }
                throw InotifyErrors.addWatchFailure(-wd, path, true, true);
            }
            Watch known = table.get(wd);
            if (known == null) {
                if (walk != null) {
                    walk.visited.add(wd);
                }
                return table.add(wd, parent, entry);
            }
            if (walk == null || walk.visited.contains(wd)) {
                return null;
            }
            if (known.path().equals(path) || attempt > 0) {
                walk.visited.add(wd);
                return known;
            }
            // Found under another path than the table says: it moved while events were lost. Forget
            // it and what is below it, and watch it afresh here.
            removeSubtree(known);
        }
    }

    /** A directory that appeared in the tree, watched: its entries are CREATE events, or are watched silently. */
    private void followNew(Watch dir) throws IOException {
        if (kinds.contains(FileEventKind.CREATE)) {
            scan(dir, FileEventKind.CREATE);
        } else {
            watchSilently(dir, null);
        }
    }

    /**
     * Holds an event of this kind for each entry of the directory, remembering the names. The
     * entries go to the front of what is held, in directory order: they come right after the
     * event that named the directory, before its siblings (depth first), so what is held is the
     * unread entries of the directories on the current path, not a whole level of the tree.
     */
    private void scan(Watch dir, FileEventKind kind) throws IOException {
        List<DirectoryEntries.Entry> entries = read(dir);
        if (entries == null || entries.isEmpty()) {
            return;
        }
        if (!dir.hasScanned()) {
            scannedWatches.add(dir);
        }
        for (int i = entries.size() - 1; i >= 0; i--) {
            DirectoryEntries.Entry e = entries.get(i);
            dir.scanned(e.name());
            FileEvent event = FileEvent.of(kind, dir.path().resolve(e.name()), e.directory());
            ready.addFirst(tree && e.directory() ? new Held(event, dir, e.name()) : new Held(event));
        }
        dir.scanEnded(System.nanoTime());
    }

    /** Watches every directory below {@code start}, depth first, emitting nothing. */
    private void watchSilently(Watch start, Walk walk) throws IOException {
        Deque<Watch> todo = new ArrayDeque<>();
        todo.push(start);
        while (!todo.isEmpty()) {
            Watch dir = todo.pop();
            List<DirectoryEntries.Entry> entries = read(dir);
            if (entries == null) {
                continue;
            }
            for (DirectoryEntries.Entry e : entries) {
                if (e.directory()) {
                    Watch child = addChildWatch(dir, e.name(), walk);
                    if (child != null) {
                        todo.push(child);
                    }
                }
            }
        }
    }

    /** Reads a watched directory's entries; its open, reads and close will not be reported as events. */
    private List<DirectoryEntries.Entry> read(Watch dir) throws IOException {
        List<DirectoryEntries.Entry> entries = DirectoryEntries.list(dir.path());
        if (entries != null && reportsReads) {
            dir.ownReadStarted();
        }
        return entries;
    }

    private void beginListing(boolean purge) throws IOException {
        Walk walk = new Walk(purge);
        Watch root = table.root();
        walk.visited.add(root.wd);
        listing = walk;
        if (spec.scope() == WatchScope.FILE) {
            if (Files.exists(root.path())) {
                ready.add(new Held(FileEvent.of(FileEventKind.EXISTING, root.path(), rootIsDirectory)));
            }
        } else {
            scan(root, FileEventKind.EXISTING);
        }
        if (ready.isEmpty()) {
            finishListing();
        }
    }

    private void finishListing() {
        Walk walk = listing;
        listing = null;
        purge(walk);
        ready.add(new Held(FileEvent.of(FileEventKind.LISTING_DONE, spec.path(), rootIsDirectory)));
    }

    /** After a re-synchronisation: removes the watches of directories no longer found. */
    private void purge(Walk walk) {
        if (!walk.purge) {
            return;
        }
        for (Watch w : new ArrayList<>(table.all())) {
            if (!walk.visited.contains(w.wd) && table.get(w.wd) == w) {
                removeSubtree(w);
            }
        }
    }

    /** Removes a watch and those below it, from the table and the kernel. */
    private void removeSubtree(Watch top) {
        for (Watch w : table.detach(top)) {
            // EINVAL: the kernel removed it already; its IN_IGNORED is queued all the same.
            Inotify.removeWatch(fd.get(), w.wd);
        }
    }

    // ---- reads ----

    /**
     * A read found the queue empty: every record queued before now has been read and decoded, so
     * the names of scans that ended a while ago can no longer meet their duplicate.
     */
    void queueEmpty() {
        if (scannedWatches.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (Iterator<Watch> it = scannedWatches.iterator(); it.hasNext();) {
            Watch w = it.next();
            if (now - w.scanEndedNanos() >= SCAN_SETTLE_NANOS) {
                w.clearScanned();
                it.remove();
            }
        }
    }

    private void clearScanned() {
        for (Watch w : scannedWatches) {
            w.clearScanned();
        }
        scannedWatches.clear();
        for (Watch w : table.all()) {
            w.clearOwnReads();
        }
    }

    /** The subscription ended: cancels the grace timer and drops what is held. */
    void close() {
        closed = true;
        if (pending != null) {
            pending.timer.cancel();
            pending = null;
        }
        ready.clear();
        scannedWatches.clear();
    }

    // ---- for tests and diagnostics ----

    /** Live watches. */
    int watchCount() {
        return table.size();
    }
}
