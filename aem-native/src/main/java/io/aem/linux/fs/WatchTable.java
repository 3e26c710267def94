package io.aem.linux.fs;

import static io.aem.linux.sys.Inotify.IN_ACCESS;
import static io.aem.linux.sys.Inotify.IN_CLOSE_NOWRITE;
import static io.aem.linux.sys.Inotify.IN_OPEN;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The watches of one inotify instance: watch descriptor to directory, and the directories as a
 * tree (parent, name, children), so that a renamed directory moves its whole subtree by updating
 * paths, and a directory moved out is removed with its subtree.
 *
 * <p><b>Watch descriptors.</b> A wd is the kernel's name for one watched inode. It is forgotten
 * only when the kernel says the watch is gone ({@code IN_IGNORED}), never on a {@code DELETE}
 * record: a directory deleted and created again under the same name is a new inode with a new
 * wd, and the old one's {@code IN_IGNORED} must not remove the new one. The kernel queues exactly
 * one {@code IN_IGNORED} per wd, also for watches this side removed with
 * {@code inotify_rm_watch}; those are counted as retired, so that if the kernel hands the same
 * number out again before the old {@code IN_IGNORED} is read, that record does not remove the
 * new watch. {@code inotify_add_watch} answers an already known wd for an inode watched through
 * another path (a bind mount); callers check {@link #get} first and keep the first path.
 *
 * <p>Loop thread only; not thread-safe. Costs a few objects per watched directory.
 */
final class WatchTable {
    /** One watched directory (or the watched file). */
    static final class Watch {
        final int wd;
        private Watch parent;
        private String name;
        private Path path;
        private Map<String, Watch> children;
        /** Names a scan of this directory emitted, whose first creation record is a duplicate; {@code null} for none. */
        private Set<String> scanned;
        private long scanEndedNanos;
        private boolean unmounted;
        /** Reads of this directory by the source whose {@code IN_OPEN} was not read yet. */
        private int ownReads;
        /** Between the {@code IN_OPEN} of an own read and its {@code IN_CLOSE_NOWRITE}. */
        private boolean inOwnRead;

        private Watch(int wd, Watch parent, String name, Path path) {
            this.wd = wd;
            this.parent = parent;
            this.name = name;
            this.path = path;
        }

        /** The absolute path the watch is reported under. */
        Path path() {
            return path;
        }

        /** The directory above, while both are in the table; {@code null} for the root. */
        Watch parent() {
            return parent;
        }

        /** The entry name in {@link #parent()}; {@code null} for the root. */
        String name() {
            return name;
        }

        /** Whether the kernel reported the file system of this directory unmounted. */
        boolean unmounted() {
            return unmounted;
        }

        void markUnmounted() {
            unmounted = true;
        }

        /** The source opened this directory to read it: its open, reads and close are not reported. */
        void ownReadStarted() {
            ownReads++;
        }

        /**
         * Removes from an {@code IN_OPEN} / {@code IN_ACCESS} / {@code IN_CLOSE_NOWRITE} mask about
         * this directory the bits that belong to the source's own reads: an open while own reads are
         * outstanding starts one, accesses belong to it, and the next close-without-write ends it.
         */
        int withoutOwnReads(int mask) {
            if ((mask & IN_OPEN) != 0 && !inOwnRead && ownReads > 0) {
                ownReads--;
                inOwnRead = true;
                mask &= ~IN_OPEN;
            }
            if (inOwnRead) {
                mask &= ~IN_ACCESS;
                if ((mask & IN_CLOSE_NOWRITE) != 0) {
                    mask &= ~IN_CLOSE_NOWRITE;
                    inOwnRead = false;
                }
            }
            return mask;
        }

        /** Whether own reads are outstanding. */
        boolean hasOwnReads() {
            return ownReads > 0 || inOwnRead;
        }

        /** Forgets the own reads (after a loss, their records may be gone). */
        void clearOwnReads() {
            ownReads = 0;
            inOwnRead = false;
        }

        /** Records that a scan emitted an event for this entry name. */
        void scanned(String entry) {
            if (scanned == null) {
                scanned = new HashSet<>();
            }
            scanned.add(entry);
        }

        /** Whether a scan emitted this name and it was not consumed yet; consumes it. */
        boolean consumeScanned(String entry) {
            return scanned != null && scanned.remove(entry);
        }

        /** Whether scanned names are remembered. */
        boolean hasScanned() {
            return scanned != null && !scanned.isEmpty();
        }

        /** When the last scan of this directory ended, on the {@link System#nanoTime()} clock. */
        long scanEndedNanos() {
            return scanEndedNanos;
        }

        void scanEnded(long nanos) {
            scanEndedNanos = nanos;
        }

        /** Forgets the scanned names. */
        void clearScanned() {
            scanned = null;
        }

        @Override
        public String toString() {
            return "wd " + wd + " " + path;
        }
    }

    private final Map<Integer, Watch> byWd = new HashMap<>();
    /** wd to the number of {@code IN_IGNORED} records still to come for watches removed from this side. */
    private final Map<Integer, Integer> retired = new HashMap<>();
    private Watch root;

    /** The watched root, or {@code null} before {@link #addRoot}. */
    Watch root() {
        return root;
    }

    /** The live watch of a wd, or {@code null}. */
    Watch get(int wd) {
        return byWd.get(wd);
    }

    /** How many watches are live. */
    int size() {
        return byWd.size();
    }

    /** The live watches. */
    Collection<Watch> all() {
        return Collections.unmodifiableCollection(byWd.values());
    }

    /**
     * Registers the root's watch.
     *
     * @throws IllegalStateException if a root is registered
     */
    Watch addRoot(int wd, Path path) {
        if (root != null) {
            throw new IllegalStateException("the root is already watched: " + root);
        }
        root = new Watch(wd, null, null, path);
        byWd.put(wd, root);
        return root;
    }

    /**
     * Registers a new watch for the entry {@code name} of {@code parent}. If another watch was
     * registered under that name (an older directory whose {@code IN_IGNORED} has not been read),
     * it is unlinked from the tree but stays known by its wd until then.
     *
     * @throws IllegalStateException if the wd is already live: check {@link #get} first
     */
    Watch add(int wd, Watch parent, String name) {
        if (byWd.containsKey(wd)) {
            throw new IllegalStateException("wd " + wd + " is already live: " + byWd.get(wd));
        }
        Watch w = new Watch(wd, parent, name, parent.path.resolve(name));
        link(w, parent, name);
        byWd.put(wd, w);
        return w;
    }

    /** The watch registered for the entry {@code name} of {@code parent}, or {@code null}. */
    Watch child(Watch parent, String name) {
        return parent.children == null ? null : parent.children.get(name);
    }

    /**
     * Moves a watch, and with it every watch below it, to the entry {@code name} of
     * {@code newParent}: their paths change, their wds stay.
     *
     * @throws IllegalArgumentException when {@code newParent} is {@code w} or below it
     */
    void move(Watch w, Watch newParent, String newName) {
        for (Watch p = newParent; p != null; p = p.parent) {
            if (p == w) {
                throw new IllegalArgumentException("cannot move " + w + " below itself (" + newParent + ")");
            }
        }
        unlink(w);
        link(w, newParent, newName);
        w.path = newParent.path.resolve(newName);
        Deque<Watch> todo = new ArrayDeque<>();
        todo.push(w);
        while (!todo.isEmpty()) {
            Watch d = todo.pop();
            if (d.children != null) {
                for (Watch c : d.children.values()) {
                    c.path = d.path.resolve(c.name);
                    todo.push(c);
                }
            }
        }
    }

    /**
     * Removes a watch and every watch below it from the table, counting each as retired (its
     * {@code IN_IGNORED} is still to come). The caller removes them from the kernel.
     *
     * @return the removed watches, {@code w} first
     */
    List<Watch> detach(Watch w) {
        unlink(w);
        List<Watch> removed = new ArrayList<>();
        Deque<Watch> todo = new ArrayDeque<>();
        todo.push(w);
        while (!todo.isEmpty()) {
            Watch d = todo.pop();
            if (byWd.get(d.wd) == d) {
                byWd.remove(d.wd);
                retired.merge(d.wd, 1, Integer::sum);
                removed.add(d);
            }
            if (d.children != null) {
                todo.addAll(d.children.values());
                d.children = null;
            }
            d.parent = null;
        }
        if (w == root) {
            root = null;
        }
        return removed;
    }

    /**
     * The kernel removed a watch ({@code IN_IGNORED}): forgets it, unless the record belongs to a
     * retired watch.
     *
     * @return the watch forgotten, or {@code null} when the record was a retired watch's or the wd unknown
     */
    Watch ignored(int wd) {
        Integer pending = retired.get(wd);
        if (pending != null) {
            if (pending == 1) {
                retired.remove(wd);
            } else {
                retired.put(wd, pending - 1);
            }
            return null;
        }
        Watch w = byWd.remove(wd);
        if (w == null) {
            return null;
        }
        unlink(w);
        if (w.children != null) {
            for (Watch c : w.children.values()) {
                c.parent = null;
            }
            w.children = null;
        }
        return w;
    }

    /** How many {@code IN_IGNORED} records are still to come for retired watches. */
    int retiredCount() {
        int n = 0;
        for (int c : retired.values()) {
            n += c;
        }
        return n;
    }

    private static void link(Watch w, Watch parent, String name) {
        if (parent.children == null) {
            parent.children = new HashMap<>();
        }
        Watch previous = parent.children.put(name, w);
        if (previous != null && previous != w) {
            previous.parent = null;
        }
        w.parent = parent;
        w.name = name;
    }

    private static void unlink(Watch w) {
        Watch p = w.parent;
        if (p != null && p.children != null && p.children.get(w.name) == w) {
            p.children.remove(w.name);
        }
        w.parent = null;
    }
}
