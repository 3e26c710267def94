package io.aem.linux.bpf;

/**
 * The prebuilt eBPF objects of {@code aem-kernel}, classpath resources under
 * {@code io/aem/kernel/}, built from {@code kernel/src/main/bpf/}. Each {@code tp_btf} program
 * {@code X} has a classic-tracepoint twin {@code X_classic} on the tracepoint named in brackets,
 * used when the kernel refuses {@code X} or when {@link BpfOptions#classicTracepoints()} is set.
 */
enum BpfObjectFile {
    /** {@code tp_btf/sched_process_exit} ({@code tracepoint/sched/sched_process_exit}). */
    EXITS("aem_exits.bpf.o", "process exits"),
    /** {@code tp_btf/flock_lock_inode} and {@code tp_btf/posix_lock_inode} ({@code tracepoint/filelock/...}). */
    LOCKS("aem_locks.bpf.o", "file locks"),
    /** {@code tp_btf/sys_enter} and {@code tp_btf/sys_exit} ({@code tracepoint/raw_syscalls/...}) for the chmod and chown calls (x86-64). */
    ATTRIBUTES("aem_attrs.bpf.o", "chmod and chown");

    private final String file;
    private final String description;

    BpfObjectFile(String file, String description) {
        this.file = file;
        this.description = description;
    }

    /** The resource path, for {@link ClassLoader#getResourceAsStream}. */
    String resource() {
        return "io/aem/kernel/" + file;
    }

    /** The object's name for libbpf and the kernel (its maps are named after it): the file name without {@code .bpf.o}. */
    String objectName() {
        return file.substring(0, file.indexOf('.'));
    }

    /** What the programs report, for messages. */
    String description() {
        return description;
    }
}
