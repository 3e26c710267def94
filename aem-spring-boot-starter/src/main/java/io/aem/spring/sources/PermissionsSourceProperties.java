package io.aem.spring.sources;

import io.aem.linux.fs.FanotifyMark;
import io.aem.linux.fs.PermissionKind;
import io.aem.linux.fs.PermissionWatch;
import io.aem.reactor.Aem;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import reactor.core.publisher.Flux;

/**
 * A declared source of fanotify permission requests ({@code aem.sources.permissions.<name>.*}):
 * opens, reads or executions of marked files wait for an answer; see
 * {@link Aem#permissions(PermissionWatch)}. A request nobody answers within the deadline is
 * allowed, and every request a subscription still holds when it ends (cancel, error, the
 * application's stop) is allowed at once. Needs {@code CAP_SYS_ADMIN}. Mark only what must be
 * decided: this process's own accesses to marked files wait for the answer too.
 */
public class PermissionsSourceProperties extends MarkedSourceProperties {

    /**
     * Kinds of request: open, access (each read) or open-exec.
     */
    private Set<PermissionKind> kinds = new LinkedHashSet<>(Set.of(PermissionKind.OPEN));

    /**
     * How long a request may wait for its answer before it is allowed; every process touching a
     * marked file may wait this long.
     */
    private Duration deadline = PermissionWatch.DEFAULT_DEADLINE;

    /**
     * Whether opening and listing directories is asked too.
     */
    private boolean directories;

    @Override
    public AemSourceFamily family() {
        return AemSourceFamily.PERMISSIONS;
    }

    public Set<PermissionKind> getKinds() {
        return this.kinds;
    }

    public void setKinds(Set<PermissionKind> kinds) {
        this.kinds = kinds;
    }

    public Duration getDeadline() {
        return this.deadline;
    }

    public void setDeadline(Duration deadline) {
        this.deadline = deadline;
    }

    public boolean isDirectories() {
        return this.directories;
    }

    public void setDirectories(boolean directories) {
        this.directories = directories;
    }

    @Override
    Function<Aem, Flux<?>> compile(String prefix) {
        List<FanotifyMark> all = fanotifyMarks(prefix, "A permission source");
        if (this.kinds.isEmpty()) {
            throw invalid(prefix, "kinds", this.kinds, "Name the kinds of request: open, access or open-exec.");
        }
        if (this.deadline == null || this.deadline.isNegative() || this.deadline.isZero()) {
            throw invalid(prefix, "deadline", this.deadline, "The deadline must be positive, for example 500ms:"
                    + " a request unanswered within it is allowed.");
        }
        PermissionWatch watch = new PermissionWatch(all, EnumSet.copyOf(this.kinds), this.deadline, this.directories);
        return aem -> aem.permissions(watch);
    }
}
