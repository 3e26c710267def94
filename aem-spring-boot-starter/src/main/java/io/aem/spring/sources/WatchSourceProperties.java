package io.aem.spring.sources;

import io.aem.linux.fs.FileEventKind;
import io.aem.linux.fs.FileWatch;
import io.aem.linux.fs.OverflowPolicy;
import io.aem.reactor.Aem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * A declared inotify watch ({@code aem.sources.watch.<name>.*}): a file, a directory, or a
 * whole tree, with the kinds of event to report. Each subscriber to the source gets its own
 * inotify instance; see {@link Aem#watch(FileWatch)}.
 */
public class WatchSourceProperties extends AemSourceProperties {

    /**
     * The file or directory to watch. Relative paths are taken against the working directory.
     * Required.
     */
    private @Nullable Path path;

    /**
     * Kinds of event to report, for example create, close-write, delete, rename. Empty means every
     * kind inotify reports.
     */
    private Set<FileEventKind> kinds = new LinkedHashSet<>();

    /**
     * Whether to watch the whole tree below the directory, following directories as they come
     * and go. When false, a directory is watched one level deep and a file on its own.
     */
    private boolean recursive;

    /**
     * What happens when the kernel's queue overflows: signal (one overflow event), rescan (an
     * overflow event then a listing of what exists) or fail (the stream ends with an error).
     */
    private OverflowPolicy overflow = OverflowPolicy.SIGNAL;

    /**
     * Whether each subscription starts with an 'existing' event for every entry already there,
     * then a 'listing-done' event.
     */
    private boolean listExisting;

    /**
     * When set, each path's last event is delivered only once the path saw no event for this
     * long (an editor's save, a copy in several writes).
     */
    private @Nullable Duration quietPeriod;

    @Override
    public AemSourceFamily family() {
        return AemSourceFamily.WATCH;
    }

    public @Nullable Path getPath() {
        return this.path;
    }

    public void setPath(@Nullable Path path) {
        this.path = path;
    }

    public Set<FileEventKind> getKinds() {
        return this.kinds;
    }

    public void setKinds(Set<FileEventKind> kinds) {
        this.kinds = kinds;
    }

    public boolean isRecursive() {
        return this.recursive;
    }

    public void setRecursive(boolean recursive) {
        this.recursive = recursive;
    }

    public OverflowPolicy getOverflow() {
        return this.overflow;
    }

    public void setOverflow(OverflowPolicy overflow) {
        this.overflow = overflow;
    }

    public boolean isListExisting() {
        return this.listExisting;
    }

    public void setListExisting(boolean listExisting) {
        this.listExisting = listExisting;
    }

    public @Nullable Duration getQuietPeriod() {
        return this.quietPeriod;
    }

    public void setQuietPeriod(@Nullable Duration quietPeriod) {
        this.quietPeriod = quietPeriod;
    }

    @Override
    Function<Aem, Flux<?>> compile(String prefix) {
        Path root = this.path;
        if (root == null || root.toString().isBlank()) {
            throw invalid(prefix, "path", root, "A watch needs the file or directory to watch.");
        }
        FileWatch watch;
        if (this.recursive) {
            watch = FileWatch.tree(root);
        } else if (Files.isRegularFile(root)) {
            watch = FileWatch.file(root);
        } else {
            watch = FileWatch.directory(root);
        }
        if (!this.kinds.isEmpty()) {
            Set<FileEventKind> wanted = EnumSet.copyOf(this.kinds);
            if (!FileWatch.inotifyKinds().containsAll(wanted)) {
                wanted.removeAll(FileWatch.inotifyKinds());
                throw invalid(prefix, "kinds", this.kinds, "inotify does not report " + wanted
                        + "; choose among " + FileWatch.inotifyKinds() + ".");
            }
            try {
                watch = watch.withKinds(wanted);
            } catch (IllegalArgumentException e) {
                throw invalid(prefix, "kinds", this.kinds, e.getMessage());
            }
        }
        watch = watch.withOverflow(this.overflow).withExistingListed(this.listExisting);
        Duration quiet = this.quietPeriod;
        if (quiet != null && (quiet.isNegative() || quiet.isZero())) {
            throw invalid(prefix, "quiet-period", quiet, "The quiet period must be positive, for example 200ms.");
        }
        FileWatch spec = watch;
        if (quiet == null) {
            return aem -> aem.watch(spec);
        }
        return aem -> aem.watch(spec).transform(aem.quietPeriod(quiet));
    }
}
