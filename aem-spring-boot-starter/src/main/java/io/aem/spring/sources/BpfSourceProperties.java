package io.aem.spring.sources;

import io.aem.linux.bpf.AttributeChangeEvent;
import io.aem.linux.bpf.BpfFilter;
import io.aem.linux.bpf.BpfOptions;
import io.aem.linux.bpf.FileId;
import io.aem.linux.bpf.FileLockEvent;
import io.aem.linux.bpf.ProcessExitEvent;
import io.aem.reactor.Aem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.util.unit.DataSize;
import reactor.core.publisher.Flux;

/**
 * A declared eBPF source ({@code aem.sources.bpf.<name>.*}): one of AEM's kernel programs,
 * loaded per subscriber with the filter written into it; see {@link Aem#processExits},
 * {@link Aem#fileLocks} and {@link Aem#attributeChanges}. Needs {@code CAP_BPF} and
 * {@code CAP_PERFMON} (or {@code CAP_SYS_ADMIN}), Debian's {@code libbpf1} and a kernel with BTF;
 * a refusal ends the source's streams with an error naming the remedy.
 */
public class BpfSourceProperties extends AemSourceProperties {

    /**
     * The kernel program: process-exits, file-locks or attribute-changes. Required.
     */
    private @Nullable Program family;

    /**
     * What the kernel side lets through.
     */
    private final Filter filter = new Filter();

    /**
     * Size of the ring buffer the program writes into: a power of two of at least 4KB. Events
     * beyond it while there is no demand are dropped and counted.
     */
    private DataSize ringSize = DataSize.ofBytes(BpfOptions.DEFAULT_RING_BYTES);

    @Override
    public AemSourceFamily family() {
        return AemSourceFamily.BPF;
    }

    public @Nullable Program getFamily() {
        return this.family;
    }

    public void setFamily(@Nullable Program family) {
        this.family = family;
    }

    public Filter getFilter() {
        return this.filter;
    }

    public DataSize getRingSize() {
        return this.ringSize;
    }

    public void setRingSize(DataSize ringSize) {
        this.ringSize = ringSize;
    }

    @Override
    Class<?> eventType() {
        Program program = this.family;
        return program == null ? Object.class : program.eventType;
    }

    @Override
    Function<Aem, Flux<?>> compile(String prefix) {
        Program program = this.family;
        if (program == null) {
            throw invalid(prefix, "family", null, "Name the kernel program: process-exits, file-locks or"
                    + " attribute-changes.");
        }
        long ring = this.ringSize.toBytes();
        if (ring < 4096 || ring > (1L << 30) || Long.bitCount(ring) != 1) {
            throw invalid(prefix, "ring-size", this.ringSize, "The ring buffer size must be a power of two between"
                    + " 4KB and 1GB, for example 256KB.");
        }
        if (this.filter.pid < 0) {
            throw invalid(prefix, "filter.pid", this.filter.pid, "A pid is positive; use 0 for any process.");
        }
        if (this.filter.parentPid < 0) {
            throw invalid(prefix, "filter.parent-pid", this.filter.parentPid, "A pid is positive; use 0 for any parent.");
        }
        BpfFilter base = new BpfFilter(this.filter.pid, this.filter.parentPid, 0, List.of());
        if (this.filter.cgroup != null) {
            try {
                base = base.withCgroup(BpfFilter.cgroupIdOf(this.filter.cgroup));
            } catch (IOException | RuntimeException e) {
                throw invalid(prefix, "filter.cgroup", this.filter.cgroup, "The cgroup directory cannot be read ("
                        + e.getMessage() + "); give a directory under the cgroup v2 mount, for example"
                        + " /sys/fs/cgroup/system.slice/app.service.");
            }
        }
        if (!this.filter.files.isEmpty()) {
            if (program != Program.FILE_LOCKS) {
                throw invalid(prefix, "filter.files", this.filter.files, "Only the file-locks program filters on"
                        + " files; remove the files or set family=file-locks.");
            }
            if (this.filter.files.size() > BpfFilter.MAX_FILES) {
                throw invalid(prefix, "filter.files", this.filter.files, "At most " + BpfFilter.MAX_FILES
                        + " files can be filtered on.");
            }
        }
        BpfFilter filterWithoutFiles = base;
        List<Path> files = List.copyOf(this.filter.files);
        int ringBytes = (int) ring;
        return aem -> Flux.<Object>defer(() -> {
            BpfFilter f = filterWithoutFiles;
            if (!files.isEmpty()) {
                List<FileId> ids = new ArrayList<>();
                for (Path file : files) {
                    try {
                        ids.add(new FileId(((Number) Files.getAttribute(file, "unix:dev")).longValue(),
                                ((Number) Files.getAttribute(file, "unix:ino")).longValue()));
                    } catch (IOException e) {
                        return Flux.<Object>error(e);
                    }
                }
                f = f.withFiles(ids);
            }
            BpfOptions options = BpfOptions.of(f).withRingBytes(ringBytes);
            Flux<?> events = switch (program) {
                case PROCESS_EXITS -> aem.processExits(options);
                case FILE_LOCKS -> aem.fileLocks(options);
                case ATTRIBUTE_CHANGES -> aem.attributeChanges(options);
            };
            return events.cast(Object.class);
        });
    }

    /**
     * The kernel programs a BPF source can load.
     */
    public enum Program {
        /** Every process exit of the system: {@link ProcessExitEvent}s. */
        PROCESS_EXITS(ProcessExitEvent.class),
        /** flock, POSIX and OFD lock operations: {@link FileLockEvent}s. */
        FILE_LOCKS(FileLockEvent.class),
        /** chmod- and chown-family system calls: {@link AttributeChangeEvent}s. */
        ATTRIBUTE_CHANGES(AttributeChangeEvent.class);

        private final Class<?> eventType;

        Program(Class<?> eventType) {
            this.eventType = eventType;
        }

        /**
         * The type of the program's events.
         *
         * @return a sealed interface whose {@code Lost} case reports drops
         */
        public Class<?> eventType() {
            return this.eventType;
        }
    }

    /**
     * What the kernel side of a BPF source lets through; zero or empty means any.
     */
    public static class Filter {

        /**
         * Only events of this process (its pid, the thread group id). 0 means any process.
         */
        private int pid;

        /**
         * Only events of the children of this process. 0 means any parent.
         */
        private int parentPid;

        /**
         * Only events of tasks in this cgroup v2, given as its directory, for example
         * /sys/fs/cgroup/system.slice/app.service.
         */
        private @Nullable Path cgroup;

        /**
         * file-locks only: only locks on these files (at most 8), identified when a subscription starts.
         */
        private List<Path> files = new ArrayList<>();

        public int getPid() {
            return this.pid;
        }

        public void setPid(int pid) {
            this.pid = pid;
        }

        public int getParentPid() {
            return this.parentPid;
        }

        public void setParentPid(int parentPid) {
            this.parentPid = parentPid;
        }

        public @Nullable Path getCgroup() {
            return this.cgroup;
        }

        public void setCgroup(@Nullable Path cgroup) {
            this.cgroup = cgroup;
        }

        public List<Path> getFiles() {
            return this.files;
        }

        public void setFiles(List<Path> files) {
            this.files = files;
        }
    }
}
