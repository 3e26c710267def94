package io.aem.linux.bpf;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import io.aem.linux.KernelException;

/**
 * The programs' per-CPU drop counter (map {@code drops}: one {@code u64} per possible CPU, added
 * to when {@code bpf_ringbuf_reserve} or {@code bpf_ringbuf_output} fails because the ring is
 * full). {@link #newDrops()} reads the sum and answers what was added since its previous call.
 *
 * <p>Threading: one thread (the event loop). Cost: one {@code bpf(BPF_MAP_LOOKUP_ELEM)} per call.
 */
final class DropCounter implements AutoCloseable {
    private final int fd;
    private final int cpus;
    private final Memory key = new Memory(4);
    private final Memory values;
    private long seen;

    /**
     * Creates the reader.
     *
     * @param fd the {@code drops} map's fd, owned by the object
     * @throws KernelException when the CPU count cannot be read
     */
    DropCounter(int fd) throws KernelException {
        this.fd = fd;
        int n = LibBpf.libbpf_num_possible_cpus();
        if (n <= 0) {
            throw new KernelException("libbpf_num_possible_cpus", n < 0 ? -n : 22, "sizing the per-CPU drop counter");
        }
        this.cpus = n;
        this.values = new Memory(8L * n);
        key.setInt(0, 0);
    }

    /** The sum over CPUs now. */
    long total() throws KernelException {
        int r = LibBpf.bpf_map_lookup_elem(fd, key, values);
        if (r != 0) {
            throw new KernelException("bpf_map_lookup_elem(drops)", r < -1 ? -r : Native.getLastError(), "reading the drop counter");
        }
        long sum = 0;
        for (int i = 0; i < cpus; i++) {
            sum += values.getLong(8L * i);
        }
        return sum;
    }

    /** The drops counted since the previous call (or since creation). */
    long newDrops() throws KernelException {
        long total = total();
        long added = total - seen;
        seen = total;
        return added;
    }

    @Override
    public void close() {
        key.close();
        values.close();
    }
}
