package io.aem.linux.bpf;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.MissingPrivilegeException;
import io.aem.linux.UnsupportedKernelFeatureException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One loaded and attached eBPF object of {@code aem-kernel}: its programs run in the kernel from
 * {@link #load} until {@link #close()}.
 *
 * <p><b>Loading</b>: the object is opened from memory ({@code bpf_object__open_mem}; the memory
 * stays reachable from this instance while the object lives), the filter is written into its
 * {@code .rodata}, the ring buffer is sized, and the object is loaded. When the kernel refuses a
 * program (a tracepoint this kernel lacks, a verifier rejection) libbpf 1.1 leaves the object
 * unusable, so the loader closes it, finds which programs are refused by loading each alone, and
 * loads the rest in a fresh object; {@link #refusedPrograms()} names them. Every loaded program
 * is then attached (one {@code bpf_link} each).
 *
 * <p><b>Classic-tracepoint fallback</b>: a {@code tp_btf} program {@code X} may have a twin
 * {@code X_classic} on the classic tracepoint ({@code SEC("tracepoint/<group>/<event>")}) that
 * emits the same records. Twins are off ({@code bpf_program__set_autoload(false)}) unless the
 * kernel refuses their {@code tp_btf} sibling, in which case the object is reopened with the twin
 * on and the sibling off; with {@code classic} set, the twins replace their siblings from the
 * start. Classic tracepoints attach through tracefs: if {@code /sys/kernel/tracing} has no
 * {@code events} directory, the loader mounts tracefs there and leaves it mounted (see
 * {@link Tracefs}), or fails with a typed error naming {@code mount -t tracefs nodev /sys/kernel/tracing}.
 *
 * <p><b>Close</b>: links destroyed (programs detached), then the object closed, which closes
 * every program and map fd it holds, once. After close no program, link or map of this object
 * remains in the kernel unless someone else holds an fd of it.
 *
 * <p>Threading: not thread-safe; load, use and close on one thread (the event loop). Cost: a
 * load is milliseconds (the verifier), so streams load once per subscription.
 */
final class BpfObject implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BpfObject.class.getName());
    /** Where the kernel publishes its BTF; CO-RE relocation needs it. */
    static final Path VMLINUX_BTF = Path.of("/sys/kernel/btf/vmlinux");
    /** The capabilities that allow loading tracing programs. */
    static final String PRIVILEGE = "CAP_BPF+CAP_PERFMON (or CAP_SYS_ADMIN)";

    /**
     * What to load: a classpath resource, the object's name for libbpf, and what it reports (for messages).
     *
     * @param resource    the resource path
     * @param objectName  libbpf's object name, which prefixes its maps' names
     * @param description what the programs report
     */
    record Ref(String resource, String objectName, String description) {
        static Ref of(BpfObjectFile f) {
            return new Ref(f.resource(), f.objectName(), f.description());
        }
    }

    private final Ref file;
    private final Memory image;
    private Pointer object;
    private final List<Pointer> links = new ArrayList<>();
    private final List<String> programs;
    private final List<String> refused;
    private final int ringFd;
    private final int dropsFd;

    private BpfObject(Ref file, Memory image, Pointer object, List<String> programs, List<String> refused)
            throws KernelException {
        this.file = file;
        this.image = image;
        this.object = object;
        this.programs = List.copyOf(programs);
        this.refused = List.copyOf(refused);
        this.ringFd = mapFd("events");
        this.dropsFd = mapFd("drops");
    }

    /**
     * Loads and attaches an object, its {@code tp_btf} programs first.
     *
     * @param file      which object
     * @param filter    what the kernel side reports
     * @param ringBytes the ring buffer's size: a power of two, a multiple of the page size
     * @param classic   load the classic-tracepoint twins instead of the {@code tp_btf} programs
     * @return the attached object; close it to detach
     * @throws LibBpfMissingException            without {@code libbpf.so.1}
     * @throws UnsupportedKernelFeatureException without kernel BTF, when every program is refused,
     *                                           or when tracefs is needed and cannot be mounted
     * @throws MissingPrivilegeException         without {@code CAP_BPF}+{@code CAP_PERFMON} or {@code CAP_SYS_ADMIN}
     * @throws KernelException                   any other refusal, with libbpf's errno
     * @throws IOException                       the resource cannot be read
     */
    static BpfObject load(BpfObjectFile file, BpfFilter filter, int ringBytes, boolean classic) throws IOException {
        return load(Ref.of(file), filter, ringBytes, classic);
    }

    /** {@link #load(BpfObjectFile, BpfFilter, int, boolean)} with the {@code tp_btf} programs first. */
    static BpfObject load(BpfObjectFile file, BpfFilter filter, int ringBytes) throws IOException {
        return load(Ref.of(file), filter, ringBytes, false);
    }

    /** {@link #load(Ref, BpfFilter, int, boolean)} with the {@code tp_btf} programs first. */
    static BpfObject load(Ref file, BpfFilter filter, int ringBytes) throws IOException {
        return load(file, filter, ringBytes, false);
    }

    /**
     * Loads and attaches any object built on {@code aem_common.h}; see {@link #load(BpfObjectFile, BpfFilter, int, boolean)}.
     *
     * @param file      which object
     * @param filter    what the kernel side reports
     * @param ringBytes the ring buffer's size
     * @param classic   load the classic-tracepoint twins instead of the {@code tp_btf} programs
     * @return the attached object
     * @throws IOException as the other overload
     */
    static BpfObject load(Ref file, BpfFilter filter, int ringBytes, boolean classic) throws IOException {
        LibBpf.require();
        if (!Files.exists(VMLINUX_BTF)) {
            throw new UnsupportedKernelFeatureException("bpf_object__load", Errno.ENOENT,
                    "kernel BTF (" + VMLINUX_BTF + ")",
                    "the " + file.description() + " programs are CO-RE and need a kernel built with CONFIG_DEBUG_INFO_BTF=y");
        }
        Memory image = read(file);
        Memory rodata = new Memory(BpfFilter.SIZE);
        try {
            return load(file, image, rodata, ringBytes, filter, classic);
        } catch (IOException | RuntimeException | Error e) {
            image.close();
            throw e;
        } finally {
            rodata.close();
        }
    }

    /** The load proper; the caller frees the image when this throws. */
    private static BpfObject load(Ref file, Memory image, Memory rodata, int ringBytes, BpfFilter filter, boolean classic)
            throws IOException {
        byte[] encoded = filter.encode();
        rodata.write(0, encoded, 0, encoded.length);

        Pointer object = open(file, image, rodata, ringBytes);
        Map<String, String> sections;
        Map<String, String> twins;
        Set<String> enabled = new LinkedHashSet<>();
        try {
            sections = programSections(object);
            twins = classicTwins(sections.keySet());
            for (String name : sections.keySet()) {
                boolean isTwin = twins.containsValue(name);
                boolean hasTwin = twins.containsKey(name);
                if (isTwin ? classic : !(classic && hasTwin)) {
                    enabled.add(name);
                }
            }
        } catch (RuntimeException e) {
            LibBpf.bpf_object__close(object);
            throw e;
        }
        Set<String> tried = new LinkedHashSet<>(enabled);
        Set<String> refused = new LinkedHashSet<>();
        List<String> names = List.copyOf(sections.keySet());
        int errno = 0;
        while (true) {
            if (enabled.isEmpty()) {
                if (object != null) {
                    LibBpf.bpf_object__close(object);
                }
                throw new UnsupportedKernelFeatureException("bpf_object__load", errno,
                        "the " + file.description() + " eBPF programs " + names,
                        "this kernel refused them (see libbpf's messages on standard error): a tp_btf tracepoint it lacks, or the verifier");
            }
            if (enabled.stream().anyMatch(n -> isClassic(sections.get(n)))) {
                try {
                    Tracefs.ensureMounted(file.description());
                } catch (KernelException e) {
                    if (object != null) {
                        LibBpf.bpf_object__close(object);
                    }
                    throw e;
                }
            }
            if (object == null) {
                object = open(file, image, rodata, ringBytes);
            }
            enable(object, enabled);
            int r = LibBpf.bpf_object__load(object);
            if (r >= 0) {
                break;
            }
            LibBpf.bpf_object__close(object);
            object = null;
            errno = -r;
            checkPrivilege(file, errno);
            Set<String> bad = new LinkedHashSet<>();
            if (enabled.size() == 1) {
                bad.addAll(enabled);
            } else {
                for (String name : enabled) {
                    Pointer alone = open(file, image, rodata, ringBytes);
                    enable(alone, Set.of(name));
                    int ra = LibBpf.bpf_object__load(alone);
                    LibBpf.bpf_object__close(alone);
                    if (ra < 0) {
                        bad.add(name);
                    }
                }
            }
            if (bad.isEmpty()) {
                throw new KernelException("bpf_object__load", errno, "loading " + file.resource() + " with " + enabled);
            }
            for (String name : bad) {
                enabled.remove(name);
                refused.add(name);
                String twin = twins.get(name);
                if (twin != null && tried.add(twin)) {
                    enabled.add(twin);
                    LOG.log(Level.WARNING, "the kernel refused the eBPF program " + name + " of " + file.resource()
                            + ": " + Errno.describe(errno) + "; loading its classic tracepoint twin " + twin + " instead");
                } else {
                    LOG.log(Level.WARNING, "the kernel refused the eBPF program " + name + " of " + file.resource()
                            + ": " + Errno.describe(errno) + "; loading the others");
                }
            }
        }
        List<String> loaded = new ArrayList<>(names);
        loaded.retainAll(enabled);
        BpfObject result;
        try {
            result = new BpfObject(file, image, object, loaded, new ArrayList<>(refused));
        } catch (KernelException e) {
            LibBpf.bpf_object__close(object);
            throw e;
        }
        try {
            result.attach();
        } catch (IOException | RuntimeException e) {
            result.close();
            throw e;
        }
        return result;
    }

    /** Suffix of a classic-tracepoint twin's name: {@code <tp_btf program>_classic}. */
    static final String CLASSIC_SUFFIX = "_classic";

    /** The classic twins: tp_btf program name to its twin's, for every program {@code X_classic} beside an {@code X}. */
    static Map<String, String> classicTwins(Set<String> names) {
        Map<String, String> twins = new LinkedHashMap<>();
        for (String name : names) {
            if (name.endsWith(CLASSIC_SUFFIX)) {
                String base = name.substring(0, name.length() - CLASSIC_SUFFIX.length());
                if (names.contains(base)) {
                    twins.put(base, name);
                }
            }
        }
        return twins;
    }

    /** Whether a program of this ELF section is a classic tracepoint program, which needs tracefs to attach. */
    static boolean isClassic(String section) {
        return section != null && (section.startsWith("tracepoint/") || section.startsWith("tp/"));
    }

    private static void checkPrivilege(Ref file, int errno) throws MissingPrivilegeException {
        if (errno == Errno.EPERM) {
            throw new MissingPrivilegeException("bpf_object__load", errno, PRIVILEGE,
                    "loading the " + file.description() + " eBPF programs; run as root or grant the capabilities"
                            + " (setcap cap_bpf,cap_perfmon+ep on the java binary, or the container's capabilities)");
        }
    }

    private static Memory read(Ref file) throws IOException {
        byte[] bytes;
        try (InputStream in = BpfObject.class.getClassLoader().getResourceAsStream(file.resource())) {
            if (in == null) {
                throw new IOException("the eBPF object " + file.resource() + " is not on the class path: add the aem-kernel jar");
            }
            bytes = in.readAllBytes();
        }
        Memory image = new Memory(bytes.length);
        image.write(0, bytes, 0, bytes.length);
        return image;
    }

    /** Opens a fresh object from the image, with the filter and the ring size; every program on. */
    private static Pointer open(Ref file, Memory image, Memory rodata, int ringBytes)
            throws KernelException {
        // struct bpf_object_open_opts { size_t sz; const char *object_name; ... }: the name prefixes the maps' names.
        Memory name = new Memory(64);
        name.setString(0, file.objectName());
        Memory opts = new Memory(16);
        opts.setLong(0, 16);
        opts.setPointer(8, name);
        Pointer object = LibBpf.bpf_object__open_mem(image, image.size(), opts);
        opts.close();
        name.close();
        if (object == null) {
            throw new KernelException("bpf_object__open_mem", Native.getLastError(),
                    file.resource() + " is not an eBPF object libbpf " + LibBpf.NAME + " can open");
        }
        try {
            Pointer ro = LibBpf.bpf_object__find_map_by_name(object, ".rodata");
            if (ro == null) {
                throw new KernelException("bpf_object__find_map_by_name", Errno.ENOENT,
                        file.resource() + " has no .rodata: it was not built from aem_common.h");
            }
            int size = LibBpf.bpf_map__value_size(ro);
            if (size != BpfFilter.SIZE) {
                throw new KernelException("bpf_map__value_size", Errno.EINVAL, file.resource() + " has a .rodata of "
                        + size + " bytes, expected the " + BpfFilter.SIZE + " of struct aem_filter");
            }
            check("bpf_map__set_initial_value", LibBpf.bpf_map__set_initial_value(ro, rodata, BpfFilter.SIZE));
            Pointer ring = LibBpf.bpf_object__find_map_by_name(object, "events");
            if (ring == null) {
                throw new KernelException("bpf_object__find_map_by_name", Errno.ENOENT, file.resource() + " has no map 'events'");
            }
            check("bpf_map__set_max_entries", LibBpf.bpf_map__set_max_entries(ring, ringBytes));
        } catch (KernelException | RuntimeException e) {
            LibBpf.bpf_object__close(object);
            throw e;
        }
        return object;
    }

    private static void check(String call, int r) throws KernelException {
        if (r < 0) {
            throw new KernelException(call, -r, null);
        }
    }

    /** Turns on the named programs of an opened object and every other off; closes the object on failure. */
    private static void enable(Pointer object, Set<String> enabled) throws KernelException {
        for (Pointer p = LibBpf.bpf_object__next_program(object, null); p != null;
                p = LibBpf.bpf_object__next_program(object, p)) {
            int r = LibBpf.bpf_program__set_autoload(p, enabled.contains(LibBpf.bpf_program__name(p)) ? 1 : 0);
            if (r < 0) {
                LibBpf.bpf_object__close(object);
                throw new KernelException("bpf_program__set_autoload", -r, null);
            }
        }
    }

    /** The programs of an object in order, with their ELF sections. */
    private static Map<String, String> programSections(Pointer object) {
        Map<String, String> sections = new LinkedHashMap<>();
        for (Pointer p = LibBpf.bpf_object__next_program(object, null); p != null;
                p = LibBpf.bpf_object__next_program(object, p)) {
            sections.put(LibBpf.bpf_program__name(p), LibBpf.bpf_program__section_name(p));
        }
        return sections;
    }

    private void attach() throws KernelException {
        for (Pointer p = LibBpf.bpf_object__next_program(object, null); p != null;
                p = LibBpf.bpf_object__next_program(object, p)) {
            if (LibBpf.bpf_program__autoload(p) == 0) {
                continue;
            }
            Pointer link = LibBpf.bpf_program__attach(p);
            if (link == null) {
                int errno = Native.getLastError();
                String name = LibBpf.bpf_program__name(p);
                if (errno == Errno.EPERM) {
                    throw new MissingPrivilegeException("bpf_program__attach", errno, PRIVILEGE, "attaching " + name);
                }
                throw new KernelException("bpf_program__attach", errno, "attaching " + name + " of " + file.resource());
            }
            links.add(link);
        }
    }

    private int mapFd(String name) throws KernelException {
        Pointer map = LibBpf.bpf_object__find_map_by_name(object, name);
        int fd = map == null ? -Errno.ENOENT : LibBpf.bpf_map__fd(map);
        if (fd < 0) {
            throw new KernelException("bpf_map__fd", -fd, "map '" + name + "' of " + file.resource());
        }
        return fd;
    }

    /** The ring buffer map's fd, owned by this object (valid until {@link #close()}). */
    int ringFd() {
        return ringFd;
    }

    /** The per-CPU drop counter map's fd, owned by this object. */
    int dropsFd() {
        return dropsFd;
    }

    /** The programs loaded and attached. */
    List<String> programs() {
        return programs;
    }

    /** The programs the kernel refused, left out; empty normally. */
    List<String> refusedPrograms() {
        return refused;
    }

    /** Which object this is. */
    Ref file() {
        return file;
    }

    /** Destroys the links, then closes the object and with it every fd it holds. Idempotent. */
    @Override
    public void close() {
        if (object == null) {
            return;
        }
        for (Pointer link : links) {
            LibBpf.bpf_link__destroy(link);
        }
        links.clear();
        LibBpf.bpf_object__close(object);
        object = null;
        image.close();
    }
}
