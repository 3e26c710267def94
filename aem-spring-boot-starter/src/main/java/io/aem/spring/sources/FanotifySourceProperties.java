package io.aem.spring.sources;

import io.aem.linux.fs.FanotifyMark;
import io.aem.linux.fs.FanotifyOverflowPolicy;
import io.aem.linux.fs.FanotifyWatch;
import io.aem.linux.fs.FileEventKind;
import io.aem.reactor.Aem;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import reactor.core.publisher.Flux;

/**
 * A declared fanotify watch ({@code aem.sources.fanotify.<name>.*}): accesses to files under
 * one or more marks, by any process, with the acting pid; see {@link Aem#fanotify(FanotifyWatch)}.
 * Needs {@code CAP_SYS_ADMIN} and {@code CAP_DAC_READ_SEARCH}; a refusal ends the source's
 * streams with an error naming the remedy.
 */
public class FanotifySourceProperties extends MarkedSourceProperties {

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
        List<FanotifyMark> all = fanotifyMarks(prefix, "A fanotify watch");
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
}
