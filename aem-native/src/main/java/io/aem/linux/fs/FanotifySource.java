package io.aem.linux.fs;

import io.aem.linux.OwnedFd;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.source.EventSource;
import io.aem.linux.source.EventsLostException;
import io.aem.linux.source.SourceContext;
import io.aem.linux.source.SourcePublisher;
import io.aem.linux.sys.Capabilities;
import io.aem.linux.sys.Fanotify;
import io.aem.linux.sys.Io;
import io.aem.linux.sys.Limits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * File accesses under fanotify marks (AEM's aem-fd file access events): who opened, read, wrote,
 * executed, created, deleted or renamed what, as {@link FileAccessEvent}s carrying the path, the
 * acting pid and its executable.
 *
 * <p><b>Kernel objects.</b> Each subscription opens its own notification group:
 * {@code fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_DFID_NAME |
 * FAN_REPORT_FID)} (file-id mode: events name objects by file handle, directory handle and entry
 * name, never by an open fd), then one {@code fanotify_mark} per {@link FanotifyMark} of the
 * {@link FanotifyWatch}. For each marked filesystem it keeps one fd, the root directory of the
 * marked path's mount opened {@code O_RDONLY}, opened before any mark exists so the group does
 * not report it: {@code open_by_handle_at} needs such an fd to decode handles against (it refuses
 * an {@code O_PATH} fd with {@code EBADF}), and a mount root cannot be deleted while mounted, so
 * holding it never delays a {@code DELETE_SELF} (the kernel reports that when the last reference
 * to a directory goes). That is the only file the source opens for reading, once per filesystem
 * at subscription; a permission listener whose mark covers that directory with {@code FAN_ONDIR}
 * would be asked about it, so it must not be served by the same loop thread. The fd keeps the
 * filesystem busy for {@code umount} while the stream lives.
 *
 * <p><b>Paths.</b> On the loop thread, for each record: {@code open_by_handle_at(mountFd, handle,
 * O_PATH)}, {@code readlink("/proc/self/fd/N")}, {@code close(N)}, and the entry name joined. An
 * {@code O_PATH} open raises no fanotify event, open or permission, so the loop neither sees its
 * own lookups nor waits for anyone's verdict. Paths are read at decoding time; see
 * {@link FileAccessEvent} for when a path is {@code null}. The kernel merges events on the same
 * object and name into one record ("opened, written, closed"; "created, then moved out"); the
 * source resolves the paths once and delivers each kind as its own event, one per unit of demand,
 * in the life order of an entry: create, moved-in, open, open-exec, access, modify, attributes,
 * close-write, close-nowrite, rename, moved-out, delete, move-self, delete-self. (A record that
 * merges a removal and a re-creation of one name cannot tell which came first.)
 *
 * <p><b>Demand</b> is kernel-level backpressure: without demand the fanotify fd is not read and
 * events wait in the kernel's queue ({@code fs.fanotify.max_queued_events}, 16384 by default).
 * What does not fit is dropped by the kernel, which queues one {@code FAN_Q_OVERFLOW} record in
 * its place: the source counts it ({@code StreamStats.lost()}) and, per
 * {@link FanotifyWatch#overflowPolicy()}, delivers a {@link FileEventKind#OVERFLOW} event and goes
 * on, or ends the stream with {@link EventsLostException}. The Java side holds at most one batch
 * ({@link FanotifyWatch#batchSize()}) and the kinds of one record.
 *
 * <p><b>Threading.</b> Everything happens on the subscription's loop thread, including the
 * capability check: capabilities are per thread, and the loop thread is the one that calls
 * {@code fanotify_init}. Events are delivered there; no thread is created per event or per file.
 *
 * <p><b>Errors</b>, as the stream's {@code onError}: the loop thread without {@code CAP_SYS_ADMIN}
 * or without {@code CAP_DAC_READ_SEARCH} (needed by {@code open_by_handle_at}):
 * {@link io.aem.linux.MissingPrivilegeException} naming it (without {@code CAP_SYS_ADMIN}, Linux
 * 5.13 and later would give an unprivileged group that reports pid 0 for other processes and
 * refuses mount and filesystem marks, so the source refuses first); a missing marked path:
 * {@link java.nio.file.NoSuchFileException}; a filesystem without file-id support (no fsid, no
 * file handles, a subvolume, pseudo filesystems such as proc and sysfs):
 * {@link UnsupportedFilesystemException} naming the filesystem; a kernel without a flag the watch
 * needs: {@link io.aem.linux.UnsupportedKernelFeatureException} naming it and the version that
 * brought it (file ids with names 5.9, {@code FAN_RENAME} 5.17, filesystem marks 4.20);
 * {@code fs.fanotify.max_user_marks} or {@code fs.fanotify.max_user_groups} reached:
 * {@link io.aem.linux.ResourceLimitException} with the limit's current value; a malformed record:
 * {@link MalformedRecordException}.
 *
 * <p><b>Costs</b> per subscription: one fanotify group fd, one fd per marked filesystem, a batch
 * buffer and about 5 KiB of native scratch memory. Per record: the read's share, about three
 * system calls per path ({@code open_by_handle_at}, {@code readlink}, {@code close}; two paths for
 * a rename), and one {@code readlink} of {@code /proc/<pid>/exe} for the executable.
 *
 * <p><b>One subscription at a time.</b> A source keeps its subscription's kernel objects; a
 * second concurrent subscriber receives {@link IllegalStateException}. {@link #publisher} (and
 * aem-reactor's {@code Aem.fanotify}) make a source per subscriber.
 */
public final class FanotifySource implements EventSource<FileAccessEvent> {
    /** The {@code fanotify_init} flags. */
    static final int INIT_FLAGS = Fanotify.FAN_CLASS_NOTIF | Fanotify.FAN_CLOEXEC | Fanotify.FAN_NONBLOCK
            | Fanotify.FAN_REPORT_DFID_NAME | Fanotify.FAN_REPORT_FID;
    /** The {@code open(2)} flags of event fds (none are made in file-id mode). */
    static final int EVENT_FD_FLAGS = Io.O_RDONLY | Io.O_CLOEXEC | Io.O_LARGEFILE;

    private final FanotifyWatch watch;
    private final String name;
    private final AtomicBoolean inUse = new AtomicBoolean();
    /** The current subscription's state; its loop thread only (handed over through {@link #inUse}). */
    private FanotifySession session;

    /**
     * Creates the source; nothing happens in the kernel until a subscriber arrives.
     *
     * @param watch what to watch
     */
    public FanotifySource(FanotifyWatch watch) {
        this.watch = Objects.requireNonNull(watch, "watch");
        this.name = watch.toString();
    }

    /**
     * A cold {@link Flow.Publisher} that gives each subscriber its own source, group and marks,
     * served by one loop.
     *
     * @param loop  the loop
     * @param watch what to watch
     * @return the publisher
     */
    public static Flow.Publisher<FileAccessEvent> publisher(EventLoop loop, FanotifyWatch watch) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(watch, "watch");
        return subscriber -> new SourcePublisher<>(loop, new FanotifySource(watch)).subscribe(subscriber);
    }

    /** The watch. */
    public FanotifyWatch watch() {
        return watch;
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Checks the loop thread's capabilities, creates the group, opens one fd per marked
     * filesystem and adds the marks. Loop thread.
     *
     * @throws IOException see the class comment; everything opened so far is closed
     * @throws IllegalStateException when another subscription is using this source
     */
    @Override
    public OwnedFd open(SourceContext context) throws IOException {
        if (!inUse.compareAndSet(false, true)) {
            throw new IllegalStateException("this FanotifySource (" + name + ") already serves a subscription;"
                    + " it serves one at a time: use FanotifySource.publisher(loop, watch) or Aem.fanotify(watch),"
                    + " which make a source per subscriber");
        }
        OwnedFd group = null;
        try {
            if (!Capabilities.effective(Capabilities.CAP_SYS_ADMIN)) {
                throw FanotifyErrors.missingCapability("CAP_SYS_ADMIN", "without it the kernel gives only an"
                        + " unprivileged fanotify group, which reports pid 0 for other processes and refuses mount and"
                        + " filesystem marks (the check ran on loop thread '" + Thread.currentThread().getName() + "')");
            }
            if (!Capabilities.effective(Capabilities.CAP_DAC_READ_SEARCH)) {
                throw FanotifyErrors.missingCapability("CAP_DAC_READ_SEARCH", "open_by_handle_at, which turns the"
                        + " file ids of events into paths, needs it (the check ran on loop thread '"
                        + Thread.currentThread().getName() + "')");
            }
            int fd = Fanotify.init(INIT_FLAGS, EVENT_FD_FLAGS);
            if (fd < 0) {
                throw FanotifyErrors.init(-fd, INIT_FLAGS);
            }
            group = new OwnedFd(fd, "fanotify group (" + name + ")");
            session = FanotifySession.open(watch, fd);
            return group;
        } catch (IOException | RuntimeException | Error e) {
            if (group != null) {
                group.close();
            }
            inUse.set(false);
            throw e;
        }
    }

    @Override
    public int batchSize() {
        return watch.batchSize();
    }

    /** Whether kinds of a merged record are still to be delivered. */
    @Override
    public boolean holdsEvents() {
        FanotifySession s = session;
        return s != null && s.holds();
    }

    /**
     * Delivers the next kind of a merged record, or decodes the next record, resolves its paths
     * and executable and delivers its first kind. Loop thread.
     *
     * @return the event, or {@code null} for a record without a kind of the watch
     * @throws MalformedRecordException for bytes that are not a fanotify event
     * @throws EventsLostException      for an overflow under {@link FanotifyOverflowPolicy#FAIL}
     * @throws IOException              when paths cannot be looked up for want of a privilege or of fds
     */
    @Override
    public FileAccessEvent decode(ByteBuffer batch, SourceContext context) throws IOException {
        FanotifySession s = session;
        if (s.holds()) {
            return s.next();
        }
        FanotifyRecord record = FanotifyRecords.next(batch);
        FanotifySession.closeHandedOver(record);
        if (record.is(Fanotify.FAN_Q_OVERFLOW)) {
            context.reportLoss(1);
            if (watch.overflowPolicy() == FanotifyOverflowPolicy.FAIL) {
                throw new EventsLostException(name, -1, "the kernel queue holds fs.fanotify.max_queued_events ("
                        + Limits.readProc("/proc/sys/fs/fanotify/max_queued_events") + ") events and dropped the rest"
                        + " while the subscriber had no demand or fell behind; request sooner, narrow the marks or"
                        + " kinds, or choose FanotifyOverflowPolicy.SIGNAL to go on after a loss");
            }
            return FileAccessEvent.overflow(record.pid());
        }
        long kinds = record.mask() & watch.kindBits();
        if (kinds == 0) {
            return null;
        }
        s.hold(record, kinds);
        return s.next();
    }

    /** Closes the mount fds and frees the scratch memory (the framework has closed the group fd); the source can serve again. */
    @Override
    public void closed() {
        FanotifySession s = session;
        session = null;
        if (s != null) {
            s.close();
        }
        inUse.set(false);
    }

    @Override
    public String toString() {
        return "FanotifySource[" + name + "]";
    }
}
