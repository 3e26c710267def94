package io.aem.linux.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Objects;

/**
 * What the kernel side reports: written into the program's read-only data before it is loaded,
 * so the verifier removes the tests that cannot match and nothing else reaches the ring buffer.
 * Immutable; zero (or an empty list) means "any".
 *
 * @param tgid        only events of this process (thread group id, the {@code pid} of user space)
 * @param parentTgid  only events of processes whose parent is this process
 * @param cgroupId    only events of tasks in this cgroup v2 (the inode number of its directory
 *                    under the cgroup v2 mount)
 * @param files       file locks only: only locks on these files, at most {@link #MAX_FILES}
 */
public record BpfFilter(int tgid, int parentTgid, long cgroupId, List<FileId> files) {
    /** The most files a filter can name (the size of the kernel-side table). */
    public static final int MAX_FILES = 8;
    /** Bytes of {@code struct aem_filter} in {@code kernel/src/main/bpf/aem_common.h}. */
    static final int SIZE = 24 + 16 * MAX_FILES;

    /** A filter that lets everything through. */
    public static final BpfFilter ALL = new BpfFilter(0, 0, 0, List.of());

    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException for a negative id or more than {@link #MAX_FILES} files
     */
    public BpfFilter {
        files = List.copyOf(Objects.requireNonNull(files, "files"));
        if (files.size() > MAX_FILES) {
            throw new IllegalArgumentException("at most " + MAX_FILES + " files can be filtered on, got " + files.size());
        }
        if (tgid < 0 || parentTgid < 0) {
            throw new IllegalArgumentException("process ids must be positive (0 = any): tgid " + tgid + ", parent " + parentTgid);
        }
    }

    /** Only events of the process {@code tgid}. */
    public static BpfFilter process(long tgid) {
        return new BpfFilter(Math.toIntExact(tgid), 0, 0, List.of());
    }

    /** Only events of the children of the process {@code tgid}. */
    public static BpfFilter childrenOf(long tgid) {
        return new BpfFilter(0, Math.toIntExact(tgid), 0, List.of());
    }

    /** This filter restricted to the given files (file locks). */
    public BpfFilter withFiles(List<FileId> files) {
        return new BpfFilter(tgid, parentTgid, cgroupId, files);
    }

    /**
     * The id eBPF programs see for a cgroup v2 ({@code bpf_get_current_cgroup_id()}): the inode
     * number of its directory under the cgroup v2 mount.
     *
     * @param cgroupDirectory the cgroup's directory, for example
     *                        {@code /sys/fs/cgroup/system.slice/app.service}
     * @return its id
     * @throws java.io.IOException when the directory cannot be read
     */
    public static long cgroupIdOf(java.nio.file.Path cgroupDirectory) throws java.io.IOException {
        return ((Number) java.nio.file.Files.getAttribute(cgroupDirectory, "unix:ino")).longValue();
    }

    /** This filter restricted to the cgroup whose id is given. */
    public BpfFilter withCgroup(long cgroupId) {
        return new BpfFilter(tgid, parentTgid, cgroupId, files);
    }

    /** The bytes of {@code struct aem_filter}, little-endian. */
    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(tgid).putInt(parentTgid).putLong(cgroupId).putInt(files.size()).putInt(0);
        for (FileId f : files) {
            b.putLong(f.kernelDev()).putLong(f.ino());
        }
        return b.array();
    }
}
