package io.aem.spring.sources;

import io.aem.linux.fs.FanotifyMark;
import io.aem.linux.fs.FanotifyOverflowPolicy;
import io.aem.linux.fs.FanotifyWatch;
import io.aem.linux.fs.FileEventKind;
import io.aem.linux.fs.MarkScope;
import io.aem.reactor.Aem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * A declared fanotify watch ({@code aem.sources.fanotify.<name>.*}): accesses to files under
 * one or more marks, by any process, with the acting pid; see {@link Aem#fanotify(FanotifyWatch)}.
 * Needs {@code CAP_SYS_ADMIN} and {@code CAP_DAC_READ_SEARCH}; a refusal ends the source's
 * streams with an error naming the remedy.
 */
public class FanotifySourceProperties extends AemSourceProperties {

    /**
     * The file or directory of the first mark. Either this or marks is required.
     */
    private @Nullable Path path;

    /**
     * What the first mark covers: path (the object itself, and a directory's entries), mount or
     * filesystem.
     */
    private MarkScope scope = MarkScope.PATH;

    /**
     * More marks, each with its path and scope.
     */
    private List<Mark> marks = new ArrayList<>();

    /**
     * Kinds of access to report, for example open, close-write, create, delete, rename. Required.
     */
    private Set<FileEventKind> kinds = new LinkedHashSet<>();

    /**
     * Whether accesses to directories are reported too.
     */
    private boolean directories = true;

    /**
     * What an overflow of the kernel's queue does.
     */
    private FanotifyOverflowPolicy overflow = FanotifyOverflowPolicy.SIGNAL;

    @Override
    public AemSourceFamily family() {
        return AemSourceFamily.FANOTIFY;
    }

    public @Nullable Path getPath() {
        return this.path;
    }

    public void setPath(@Nullable Path path) {
        this.path = path;
    }

    public MarkScope getScope() {
        return this.scope;
    }

    public void setScope(MarkScope scope) {
        this.scope = scope;
    }

    public List<Mark> getMarks() {
        return this.marks;
    }

    public void setMarks(List<Mark> marks) {
        this.marks = marks;
    }

    public Set<FileEventKind> getKinds() {
        return this.kinds;
    }

    public void setKinds(Set<FileEventKind> kinds) {
        this.kinds = kinds;
    }

    public boolean isDirectories() {
        return this.directories;
    }

    public void setDirectories(boolean directories) {
        this.directories = directories;
    }

    public FanotifyOverflowPolicy getOverflow() {
        return this.overflow;
    }

    public void setOverflow(FanotifyOverflowPolicy overflow) {
        this.overflow = overflow;
    }

    @Override
    Function<Aem, Flux<?>> compile(String prefix) {
        List<FanotifyMark> all = new ArrayList<>();
        if (this.path != null) {
            all.add(new FanotifyMark(this.path, this.scope));
        }
        for (int i = 0; i < this.marks.size(); i++) {
            Mark mark = this.marks.get(i);
            if (mark.getPath() == null) {
                throw invalid(prefix, "marks[" + i + "].path", null, "Each mark needs the path it is placed on.");
            }
            all.add(new FanotifyMark(mark.getPath(), mark.getScope()));
        }
        if (all.isEmpty()) {
            throw invalid(prefix, "path", null, "A fanotify watch needs at least one mark: set path (and scope),"
                    + " or marks[0].path.");
        }
        if (this.kinds.isEmpty()) {
            throw invalid(prefix, "kinds", this.kinds, "Name the kinds of access to report, for example"
                    + " open,close-write.");
        }
        FanotifyWatch watch;
        try {
            watch = FanotifyWatch.of(all, EnumSet.copyOf(this.kinds));
        } catch (IllegalArgumentException e) {
            throw invalid(prefix, "kinds", this.kinds, e.getMessage());
        }
        FanotifyWatch spec = watch.withDirectories(this.directories).withOverflowPolicy(this.overflow);
        return aem -> aem.fanotify(spec);
    }

    /**
     * One fanotify mark: a path and what of it is covered.
     */
    public static class Mark {

        /**
         * The file, directory, mount point or any path on the filesystem marked.
         */
        private @Nullable Path path;

        /**
         * What the mark covers: path, mount or filesystem.
         */
        private MarkScope scope = MarkScope.PATH;

        public @Nullable Path getPath() {
            return this.path;
        }

        public void setPath(@Nullable Path path) {
            this.path = path;
        }

        public MarkScope getScope() {
            return this.scope;
        }

        public void setScope(MarkScope scope) {
            this.scope = scope;
        }
    }
}
