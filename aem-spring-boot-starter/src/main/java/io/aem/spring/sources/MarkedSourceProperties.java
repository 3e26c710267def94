package io.aem.spring.sources;

import io.aem.linux.fs.FanotifyMark;
import io.aem.linux.fs.MarkScope;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the fanotify families ({@code fanotify}, {@code permissions}) share: their marks, given as
 * one {@code path} with its {@code scope}, or a list {@code marks[i].path} / {@code marks[i].scope},
 * or both (the single one first).
 */
public abstract class MarkedSourceProperties extends AemSourceProperties {

    /**
     * The file or directory of the first mark (a directory covers its entries). Either this or
     * marks is required.
     */
    private @Nullable Path path;

    /**
     * What the first mark covers: path (the object itself, and a directory's entries), mount or
     * filesystem.
     */
    private MarkScope scope = MarkScope.PATH;

    /**
     * More marks, each a path and a scope.
     */
    private List<Mark> marks = new ArrayList<>();

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

    /**
     * The marks as the kernel gets them, checked.
     *
     * @param prefix the source's property prefix, for errors
     * @param what   what the source is called in the error, for example "A fanotify watch"
     * @throws org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException
     *         naming the property when a mark has no path or there is none
     */
    List<FanotifyMark> fanotifyMarks(String prefix, String what) {
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
            throw invalid(prefix, "path", null, what + " needs at least one mark: set path (and scope),"
                    + " or marks[0].path.");
        }
        return all;
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
