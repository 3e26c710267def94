package io.aem.linux.fs;

import io.aem.linux.sys.Fanotify;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a {@link PermissionSource} asks the kernel to hold for a decision: the marks, the kinds
 * of request, how long a request may wait for its answer, and whether directories count.
 *
 * <p>Marks should cover only what must be decided. Every process touching a marked object,
 * <em>this JVM included</em> (class loading, logging, any library), waits for the answer, so a
 * mark over the JVM's own files, jars or temporary directory slows this process down to the
 * deadline on each such access. See {@link PermissionSource} for why it never hangs.
 *
 * <p>Immutable; the {@code with*} methods return a copy.
 *
 * @param marks       the objects, mounts or filesystems to decide for; at least one
 * @param kinds       the kinds of request to receive; at least one
 * @param deadline    how long a request may wait for an answer before it is allowed; positive
 * @param directories whether opening and listing directories is asked too ({@code FAN_ONDIR}); files only when {@code false}
 */
public record PermissionWatch(List<FanotifyMark> marks, Set<PermissionKind> kinds, Duration deadline, boolean directories) {
    /** The deadline when none is given: one second. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(1);

    /**
     * Checks and copies the components.
     *
     * @throws NullPointerException     if a component or element is {@code null}
     * @throws IllegalArgumentException if there is no mark, no kind, or the deadline is not positive
     */
    public PermissionWatch {
        marks = List.copyOf(Objects.requireNonNull(marks, "marks"));
        if (marks.isEmpty()) {
            throw new IllegalArgumentException("a permission watch needs at least one mark; add the file, directory,"
                    + " mount or filesystem to decide for, e.g. FanotifyMark.path(dir)");
        }
        Objects.requireNonNull(kinds, "kinds");
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("a permission watch needs at least one kind of request; pick from "
                    + EnumSet.allOf(PermissionKind.class));
        }
        kinds = Collections.unmodifiableSet(EnumSet.copyOf(kinds));
        Objects.requireNonNull(deadline, "deadline");
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("permission deadline must be positive, was " + deadline
                    + ": a request unanswered within it is allowed, and every process touching a marked file waits"
                    + " up to that long; use for example Duration.ofMillis(500), or omit it for the default "
                    + DEFAULT_DEADLINE);
        }
    }

    /**
     * A watch with the default deadline, files only.
     *
     * @param marks at least one
     * @param kinds at least one
     * @return the watch
     */
    public static PermissionWatch of(Collection<FanotifyMark> marks, Set<PermissionKind> kinds) {
        return new PermissionWatch(List.copyOf(marks), kinds, DEFAULT_DEADLINE, false);
    }

    /**
     * Opens of files under the marks, with the default deadline.
     *
     * @param marks at least one
     * @return the watch
     */
    public static PermissionWatch opens(FanotifyMark... marks) {
        return of(List.of(marks), EnumSet.of(PermissionKind.OPEN));
    }

    /** A copy with these marks. */
    public PermissionWatch withMarks(Collection<FanotifyMark> newMarks) {
        return new PermissionWatch(List.copyOf(newMarks), kinds, deadline, directories);
    }

    /** A copy asking for these kinds of request. */
    public PermissionWatch withKinds(PermissionKind first, PermissionKind... more) {
        return new PermissionWatch(marks, EnumSet.of(first, more), deadline, directories);
    }

    /** A copy with this deadline (positive). */
    public PermissionWatch withDeadline(Duration newDeadline) {
        return new PermissionWatch(marks, kinds, newDeadline, directories);
    }

    /** A copy that does, or does not, ask for directories too. */
    public PermissionWatch withDirectories(boolean include) {
        return new PermissionWatch(marks, kinds, deadline, include);
    }

    /**
     * The {@code fanotify_mark} mask for one mark: the kinds' bits, {@code FAN_ONDIR} when
     * directories are included, and {@code FAN_EVENT_ON_CHILD} for a {@link MarkScope#PATH} mark
     * (so that a marked directory covers its direct children).
     *
     * @param scope the mark's scope
     * @return the mask
     */
    public long mask(MarkScope scope) {
        long mask = 0;
        for (PermissionKind k : kinds) {
            mask |= k.bit();
        }
        if (directories) {
            mask |= Fanotify.FAN_ONDIR;
        }
        if (scope == MarkScope.PATH) {
            mask |= Fanotify.FAN_EVENT_ON_CHILD;
        }
        return mask;
    }
}
