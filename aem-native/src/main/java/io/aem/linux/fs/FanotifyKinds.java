package io.aem.linux.fs;

import io.aem.linux.sys.Fanotify;
import java.util.EnumSet;
import java.util.Set;

/**
 * The mapping between {@link FileEventKind}s and fanotify event bits, and the order in which the
 * kinds of one merged record are delivered.
 *
 * <p>The kernel merges an event into a queued one for the same object and name, so one record
 * can say "opened, read, closed" or "created, then moved out". The order is the life of an
 * entry: it is opened before it is read, created before it is deleted. When a record merges a
 * removal and a re-creation of the same name, the real order cannot be known from the record.
 */
final class FanotifyKinds {
    /** Kinds in delivery order; {@link #BITS} holds their event bits at the same index. */
    private static final FileEventKind[] ORDER = {
        FileEventKind.CREATE, FileEventKind.MOVED_IN, FileEventKind.OPEN, FileEventKind.OPEN_EXEC,
        FileEventKind.ACCESS, FileEventKind.MODIFY, FileEventKind.ATTRIBUTES, FileEventKind.CLOSE_WRITE,
        FileEventKind.CLOSE_NOWRITE, FileEventKind.RENAME, FileEventKind.MOVED_OUT, FileEventKind.DELETE,
        FileEventKind.MOVE_SELF, FileEventKind.DELETE_SELF,
    };
    private static final long[] BITS = {
        Fanotify.FAN_CREATE, Fanotify.FAN_MOVED_TO, Fanotify.FAN_OPEN, Fanotify.FAN_OPEN_EXEC,
        Fanotify.FAN_ACCESS, Fanotify.FAN_MODIFY, Fanotify.FAN_ATTRIB, Fanotify.FAN_CLOSE_WRITE,
        Fanotify.FAN_CLOSE_NOWRITE, Fanotify.FAN_RENAME, Fanotify.FAN_MOVED_FROM, Fanotify.FAN_DELETE,
        Fanotify.FAN_MOVE_SELF, Fanotify.FAN_DELETE_SELF,
    };
    /** Events a mount mark can carry: those with a path ({@code FANOTIFY_PATH_EVENTS}). */
    static final long MOUNT_MARK_EVENTS = Fanotify.FAN_ACCESS | Fanotify.FAN_MODIFY | Fanotify.FAN_CLOSE_WRITE
            | Fanotify.FAN_CLOSE_NOWRITE | Fanotify.FAN_OPEN | Fanotify.FAN_OPEN_EXEC;
    /** Every bit of {@link #BITS}. */
    static final long ALL = all();

    private FanotifyKinds() {
    }

    /** The event bit of a kind, or {@code 0} when fanotify has none for it. */
    static long bit(FileEventKind kind) {
        for (int i = 0; i < ORDER.length; i++) {
            if (ORDER[i] == kind) {
                return BITS[i];
            }
        }
        return 0;
    }

    /** The kinds fanotify reports. */
    static Set<FileEventKind> supported() {
        EnumSet<FileEventKind> s = EnumSet.noneOf(FileEventKind.class);
        for (FileEventKind k : ORDER) {
            s.add(k);
        }
        return s;
    }

    /** The bits of a set of supported kinds. */
    static long mask(Set<FileEventKind> kinds) {
        long m = 0;
        for (FileEventKind k : kinds) {
            m |= bit(k);
        }
        return m;
    }

    /**
     * The first kind, in delivery order, whose bit is in {@code bits}.
     *
     * @param bits event bits, not {@code 0}
     * @return the index of the kind, for {@link #kindAt} and {@link #bitAt}
     */
    static int first(long bits) {
        for (int i = 0; i < BITS.length; i++) {
            if ((bits & BITS[i]) != 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("no file event kind in bits 0x" + Long.toHexString(bits));
    }

    /** The kind at an index of the delivery order. */
    static FileEventKind kindAt(int index) {
        return ORDER[index];
    }

    /** The event bit at an index of the delivery order. */
    static long bitAt(int index) {
        return BITS[index];
    }

    private static long all() {
        long m = 0;
        for (long b : BITS) {
            m |= b;
        }
        return m;
    }
}
