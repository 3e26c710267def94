package io.aem.linux.fs;

import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.OwnedFd;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.source.EventSource;
import io.aem.linux.source.ReadBuffer;
import io.aem.linux.source.SourceContext;
import io.aem.linux.source.SourcePublisher;
import io.aem.linux.sys.Inotify;
import io.aem.linux.sys.Io;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * File and directory events from inotify (AEM's aem-fd): one file, one directory, or a whole tree
 * followed as it changes, as {@link FileEvent}s with absolute paths.
 *
 * <p><b>Use.</b> One source serves one subscription at a time; {@link #publisher(EventLoop, FileWatch)}
 * (and aem-reactor's {@code Aem.watch}) make a fresh source per subscriber, each with its own
 * inotify instance:
 * <pre>{@code
 * Flow.Publisher<FileEvent> events = InotifyWatchSource.publisher(loop, FileWatch.tree(Path.of("/srv/data")));
 * }</pre>
 *
 * <p><b>Demand is kernel backpressure.</b> Without demand the inotify fd is not read and the
 * kernel queues the events, up to {@code fs.inotify.max_queued_events} per instance; then it drops
 * them and queues one overflow marker, which the {@linkplain FileWatch#withOverflow overflow
 * policy} turns into an {@link FileEventKind#OVERFLOW} event (and a rescan) or an
 * {@link io.aem.linux.source.EventsLostException}; the loss is also counted
 * ({@code StreamStats.lost()}). The only events held in Java are one read's batch
 * ({@link FileWatch#batchSize()} bytes) and those the source makes itself: the entries found by
 * scanning directories, which wait for demand like any other. A directory found by a scan is read
 * only when the event naming it is emitted, and its entries come next (depth first), so what is
 * held is the unread entries of the directories on the current path, not the whole tree.
 * Decoding costs no JNA call; the source calls the kernel beyond the reads only to add a watch
 * for a new directory, to remove those of a directory moved out, and to read directories.
 *
 * <p><b>Threading.</b> Everything (opening, reading, scanning, signals) runs on the loop thread of
 * the subscription; directory scans and the initial walk of a tree are blocking file-system
 * reads on that thread, proportional to the directories scanned.
 *
 * <p><b>Paths and kinds.</b> Each event carries the absolute path of its subject (below
 * {@link FileWatch#path()}, which is absolute and normalized), whether the subject is a directory
 * ({@code IN_ISDIR}), and for a {@link FileEventKind#RENAME} the old path. Only the
 * {@linkplain FileWatch#withKinds chosen kinds} are emitted. A directory's own events
 * ({@code OPEN}, {@code ACCESS}, ...) are reported once, under its name in its parent, and for the
 * watched root under the root's path. The source's own reads of directories (walks, scans,
 * listings) are not reported: each expects one {@code IN_OPEN} of that directory, and the
 * {@code IN_ACCESS} records up to its next {@code IN_CLOSE_NOWRITE} belong to it. Another process
 * reading the same directory at the same moment keeps its open and close, though an access of its
 * may be taken for the source's.
 *
 * <p><b>Trees.</b> Every directory of a tree has its own watch, added in {@code open} by a
 * depth-first walk (with the initial listing, as the listing reaches each directory, before it
 * is read). A directory that appears later ({@code IN_CREATE} with {@code IN_ISDIR}, or
 * moved in) is watched <em>first</em> and scanned <em>second</em>, so nothing created in it in
 * between is missed: what the scan finds is reported as {@link FileEventKind#CREATE} right after
 * the directory's own event, and subdirectories found are watched and scanned in turn, when their
 * own {@code CREATE} is emitted. <b>No duplicates:</b> the kernel may also queue an
 * {@code IN_CREATE} for an entry the scan found (it was created after the watch was added); the
 * names a scan reported are remembered per directory and the first {@code IN_CREATE} (or
 * {@code IN_MOVED_TO} that is not half of a rename) of such a name is dropped; a deletion or
 * move-out of the name forgets it, and so does a read that finds the queue empty at least 50 ms
 * after the scan (every record queued before then has been read; the margin covers a creator
 * that made the entry visible but had not queued its event yet). So
 * {@code mkdir -p a/b/c/d && touch a/b/c/d/f} gives exactly one {@code CREATE} for each of the
 * five paths. The entries of a directory moved into the tree are reported as {@code CREATE} too,
 * after its {@link FileEventKind#MOVED_IN}. A directory reached twice (a bind mount inside the
 * tree) is watched once and reported under the path found first; a bind mount of an ancestor
 * does not make the walk loop. Symbolic links are entries, never followed. A subdirectory that
 * vanishes before its watch is added is skipped (its deletion is reported by its parent).
 *
 * <p><b>Moves</b> are paired by cookie: an {@code IN_MOVED_FROM} and the {@code IN_MOVED_TO}
 * with the same cookie, both inside the watched scope, are one {@link FileEventKind#RENAME}
 * (path = new, {@code movedFrom} = old), reported where the first half was. An
 * {@code IN_MOVED_FROM} whose pair is not among the records read with it is a
 * {@link FileEventKind#MOVED_OUT}; if it was the last record read, it first waits for the
 * {@linkplain FileWatch#withMovePairingGrace move-pairing grace} (a loop timeout; the next batch
 * read resolves it sooner), and nothing read after it is reported before it. An unpaired
 * {@code IN_MOVED_TO} is a {@link FileEventKind#MOVED_IN}. In a tree, a directory renamed within
 * the tree keeps its watches and they (and all below) take the new path, so later events inside
 * carry it; a directory moved out loses its watches and those below ({@code inotify_rm_watch}),
 * and later events inside it are not reported; a directory moved in is watched and scanned like a
 * new one. Should the kernel queue another record between the two halves of a rename and a batch
 * end there (a concurrent writer, rare), the rename is reported as {@code MOVED_OUT} then
 * {@code MOVED_IN}: the tree stays correctly watched.
 *
 * <p><b>Initial listing</b> ({@link FileWatch#withExistingListed}): once the root's watch is in
 * place, {@link FileEventKind#EXISTING} for every entry (recursively for a tree, each directory
 * watched before it is read; the file itself for a file watch), then
 * {@link FileEventKind#LISTING_DONE} (path = root), then live events. The same no-duplicate rule
 * applies: an entry created during the listing is reported once, as {@code EXISTING} or as
 * {@code CREATE}. Without the listing, entries that exist when a directory is first watched are
 * not reported.
 *
 * <p><b>Overflow</b> ({@code IN_Q_OVERFLOW}): the loss is counted, then {@link OverflowPolicy}
 * applies: {@code SIGNAL} emits {@link FileEventKind#OVERFLOW} (path = root) and, for a tree,
 * re-synchronises the watches silently; {@code RESCAN} emits {@code OVERFLOW}, then
 * {@code EXISTING} for everything there now (re-watching as needed), then {@code LISTING_DONE};
 * {@code ERROR} ends the stream with {@link io.aem.linux.source.EventsLostException}. The
 * stream goes on after {@code SIGNAL} and {@code RESCAN}.
 *
 * <p><b>End of the stream.</b> The stream completes when the root's watch ends: the root deleted
 * ({@link FileEventKind#DELETE_SELF}, then the kernel drops the watch), its file system unmounted
 * ({@link FileEventKind#UNMOUNT}, same), or the root moved away ({@link FileEventKind#MOVE_SELF}:
 * nothing lives at the watched path any more, and records after it are not reported). A file
 * system mounted inside a tree and unmounted gives one {@code UNMOUNT} per watched directory of
 * it, and the stream goes on. Otherwise it runs until cancelled, or until the loop closes.
 *
 * <p><b>Errors</b>, as {@code onError} before any event when {@code open} fails, or later:
 * a missing path gives {@link java.nio.file.NoSuchFileException}; no permission to watch
 * (read permission on it, search on its parents) {@link java.nio.file.AccessDeniedException};
 * a file given to {@link FileWatch#directory} or {@link FileWatch#tree}
 * {@link java.nio.file.NotDirectoryException}; the per-user watch limit
 * {@link io.aem.linux.ResourceLimitException} naming {@code fs.inotify.max_user_watches} with its
 * value; the per-user instance limit one naming {@code fs.inotify.max_user_instances} (or
 * {@code RLIMIT_NOFILE} when the process is out of descriptors). The same errors for a
 * subdirectory found later end the stream, except a vanished one, which is skipped.
 *
 * <p><b>Costs.</b> One inotify instance (an fd) per subscription, one watch per watched directory
 * (about 1 KB of kernel memory, counted against {@code fs.inotify.max_user_watches}) and a few
 * Java objects per directory for the watch table; the batch buffer; one {@code lstat} per entry
 * scanned.
 */
public final class InotifyWatchSource implements EventSource<FileEvent> {
    private final FileWatch watch;
    private final AtomicBoolean inUse = new AtomicBoolean();
    /** The subscription's state, on its loop thread; {@code null} between subscriptions. */
    private InotifySession session;

    /**
     * Creates the source; nothing happens in the kernel until a subscription opens it.
     *
     * @param watch what to watch
     */
    public InotifyWatchSource(FileWatch watch) {
        this.watch = Objects.requireNonNull(watch, "watch");
    }

    /**
     * A cold {@link Flow.Publisher} of the watch's events: each subscriber gets its own source and
     * inotify instance, served on {@code loop}. See the class description for the contract.
     *
     * @param loop  the loop to serve the subscriptions on
     * @param watch what to watch
     * @return the publisher
     */
    public static Flow.Publisher<FileEvent> publisher(EventLoop loop, FileWatch watch) {
        return new WatchPublisher(Objects.requireNonNull(loop, "loop"), Objects.requireNonNull(watch, "watch"));
    }

    /** What this source watches. */
    public FileWatch watch() {
        return watch;
    }

    @Override
    public String name() {
        return watch.toString();
    }

    /**
     * Creates the inotify instance and adds the watches (the whole tree for a tree, and the
     * listing's first directory when asked). Loop thread.
     *
     * @throws IllegalStateException when another subscription uses this source now
     * @throws IOException           the typed errors of the class description
     */
    @Override
    public OwnedFd open(SourceContext context) throws IOException {
        if (!inUse.compareAndSet(false, true)) {
            throw new IllegalStateException(name() + ": this source serves one subscription at a time and has one;"
                    + " create an InotifyWatchSource per subscriber, or use InotifyWatchSource.publisher(loop, watch)"
                    + " or Aem.watch(watch), which do");
        }
        OwnedFd fd = null;
        try {
            int r = Inotify.init();
            if (r < 0) {
                throw InotifyErrors.initFailure(-r);
            }
            fd = new OwnedFd(r, "inotify (" + watch + ")");
            InotifySession s = new InotifySession(watch, context, fd, name());
            s.start();
            session = s;
            return fd;
        } catch (IOException | RuntimeException | Error e) {
            if (fd != null) {
                fd.close();
            }
            inUse.set(false);
            throw e;
        }
    }

    @Override
    public int batchSize() {
        return watch.batchSize();
    }

    /** One {@code read(2)} of whole records; a read that finds the queue empty lets the session forget old scan names. */
    @Override
    public int read(OwnedFd fd, ReadBuffer buffer) throws KernelException {
        for (;;) {
            long n = Io.read(fd.get(), buffer.address(), buffer.capacity());
            if (n > 0) {
                return (int) n;
            }
            if (n == -Errno.EAGAIN) {
                session.queueEmpty();
                return WOULD_BLOCK;
            }
            if (n == 0) {
                return END_OF_STREAM;
            }
            if (n != -Errno.EINTR) {
                throw Errno.exception("read(inotify)", (int) -n, null);
            }
        }
    }

    /** Whether scan results, a resolved move or the second kind of a record wait for emission. */
    @Override
    public boolean holdsEvents() {
        InotifySession s = session;
        return s != null && s.holdsEvents();
    }

    /**
     * The next event: held events first, then the batch's records in kernel order; {@code null}
     * for a record that yields no event (a kind not chosen, a duplicate, bookkeeping).
     *
     * @throws io.aem.linux.source.EventsLostException on overflow with {@link OverflowPolicy#ERROR}
     */
    @Override
    public FileEvent decode(ByteBuffer batch, SourceContext context) throws IOException {
        return session.decode(batch);
    }

    /** The inotify fd is closed (which removes every watch): drops the subscription's state. */
    @Override
    public void closed() {
        InotifySession s = session;
        session = null;
        if (s != null) {
            s.close();
        }
        inUse.set(false);
    }

    /** Live watches of the current subscription, 0 without one. Loop thread; for tests and diagnostics. */
    int watchCount() {
        InotifySession s = session;
        return s == null ? 0 : s.watchCount();
    }

    /** A fresh source per subscriber. */
    private static final class WatchPublisher implements Flow.Publisher<FileEvent> {
        private final EventLoop loop;
        private final FileWatch watch;

        WatchPublisher(EventLoop loop, FileWatch watch) {
            this.loop = loop;
            this.watch = watch;
        }

        @Override
        public void subscribe(Flow.Subscriber<? super FileEvent> subscriber) {
            new SourcePublisher<>(loop, new InotifyWatchSource(watch)).subscribe(subscriber);
        }

        @Override
        public String toString() {
            return "Publisher[" + watch + " on " + loop.name() + "]";
        }
    }
}
