package io.aem.linux.bpf;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The entry points of {@code libbpf.so.1} (Debian's {@code libbpf1}, 1.1 or later) used to load
 * the programs of {@code aem-kernel}, bound with JNA direct mapping.
 *
 * <p>libbpf 1.x conventions: functions returning {@code int} return {@code 0} or a negative
 * {@code errno}; functions returning a pointer return {@code NULL} on failure with {@code errno}
 * set, read back with {@link Native#getLastError()} on the same thread. The library is loaded
 * by its versioned name {@code libbpf.so.1}: the unversioned {@code libbpf.so} exists only with
 * {@code libbpf-dev}. Touching this class on a machine without the library throws
 * {@link UnsatisfiedLinkError}; {@link #require()} turns that into {@link LibBpfMissingException}.
 *
 * <p>Threading: an object ({@code struct bpf_object}) is not thread-safe; the loader uses each one
 * from one thread at a time. The low-level map calls are system-call wrappers, safe anywhere.
 */
final class LibBpf {
    /** The library's file name, as the dynamic linker finds it. */
    static final String NAME = "libbpf.so.1";

    private static final Throwable LOAD_ERROR;

    static {
        Throwable error = null;
        try {
            Native.register(LibBpf.class, NativeLibrary.getInstance(NAME));
        } catch (UnsatisfiedLinkError e) {
            error = e;
        }
        LOAD_ERROR = error;
    }

    private LibBpf() {
    }

    /**
     * Checks that the library was found and bound.
     *
     * @throws LibBpfMissingException naming the Debian package when it was not
     */
    static void require() throws LibBpfMissingException {
        if (LOAD_ERROR != null) {
            throw new LibBpfMissingException(LOAD_ERROR);
        }
    }

    /** {@code struct bpf_object *bpf_object__open_mem(const void *buf, size_t sz, const struct bpf_object_open_opts *opts)}. */
    static native Pointer bpf_object__open_mem(Pointer buf, long size, Pointer opts);

    /** {@code int bpf_object__load(struct bpf_object *obj)}. */
    static native int bpf_object__load(Pointer obj);

    /** {@code void bpf_object__close(struct bpf_object *obj)}: detaches nothing, closes every fd of the object. */
    static native void bpf_object__close(Pointer obj);

    /** {@code struct bpf_program *bpf_object__next_program(const struct bpf_object *obj, struct bpf_program *prev)}. */
    static native Pointer bpf_object__next_program(Pointer obj, Pointer prev);

    /** {@code const char *bpf_program__name(const struct bpf_program *prog)}. */
    static native String bpf_program__name(Pointer prog);

    /** {@code const char *bpf_program__section_name(const struct bpf_program *prog)}: {@code "tp_btf/..."}, {@code "tracepoint/..."}. */
    static native String bpf_program__section_name(Pointer prog);

    /** {@code int bpf_program__set_autoload(struct bpf_program *prog, bool autoload)}; {@code bool} passed as 0 or 1. */
    static native int bpf_program__set_autoload(Pointer prog, int autoload);

    /** {@code bool bpf_program__autoload(const struct bpf_program *prog)}; as a byte, 0 or 1. */
    static native byte bpf_program__autoload(Pointer prog);

    /** {@code int bpf_program__fd(const struct bpf_program *prog)}. */
    static native int bpf_program__fd(Pointer prog);

    /** {@code struct bpf_link *bpf_program__attach(const struct bpf_program *prog)}. */
    static native Pointer bpf_program__attach(Pointer prog);

    /** {@code int bpf_link__destroy(struct bpf_link *link)}: detaches and closes the link's fd. */
    static native int bpf_link__destroy(Pointer link);

    /** {@code struct bpf_map *bpf_object__find_map_by_name(const struct bpf_object *obj, const char *name)}. */
    static native Pointer bpf_object__find_map_by_name(Pointer obj, String name);

    /** {@code int bpf_map__fd(const struct bpf_map *map)}. */
    static native int bpf_map__fd(Pointer map);

    /** {@code int bpf_map__set_max_entries(struct bpf_map *map, __u32 max_entries)}; before load. */
    static native int bpf_map__set_max_entries(Pointer map, int maxEntries);

    /** {@code __u32 bpf_map__value_size(const struct bpf_map *map)}. */
    static native int bpf_map__value_size(Pointer map);

    /** {@code int bpf_map__set_initial_value(struct bpf_map *map, const void *data, size_t size)}; before load. */
    static native int bpf_map__set_initial_value(Pointer map, Pointer data, long size);

    /** {@code int bpf_map_lookup_elem(int fd, const void *key, void *value)}: {@code 0} or {@code -1} with errno. */
    static native int bpf_map_lookup_elem(int fd, Pointer key, Pointer value);

    /** {@code int libbpf_num_possible_cpus(void)}: the CPU count per-CPU map values are sized by, or a negative errno. */
    static native int libbpf_num_possible_cpus();

    /** {@code int bpf_prog_get_fd_by_id(__u32 id)}: an fd, or a negative errno ({@code -ENOENT}: no such program). */
    static native int bpf_prog_get_fd_by_id(int id);

    /** {@code int bpf_map_get_fd_by_id(__u32 id)}: an fd, or a negative errno. */
    static native int bpf_map_get_fd_by_id(int id);

    /** {@code int bpf_link_get_fd_by_id(__u32 id)}: an fd, or a negative errno. */
    static native int bpf_link_get_fd_by_id(int id);
}
