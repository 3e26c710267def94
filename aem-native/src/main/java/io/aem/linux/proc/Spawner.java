package io.aem.linux.proc;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.aem.linux.Errno;
import io.aem.linux.KernelException;
import io.aem.linux.OwnedFd;
import io.aem.linux.ResourceLimitException;
import io.aem.linux.sys.Io;
import io.aem.linux.sys.LibC;
import io.aem.linux.sys.Limits;
import io.aem.linux.sys.Spawn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts one child with {@code posix_spawn}: resolves the executable, opens the redirect files
 * and pipes in this JVM (so their errors name the file), and has the child {@code dup2} them onto
 * fds 0, 1 and 2, close every other fd ({@code closefrom(3)}), change directory, reset its signal
 * mask and dispositions, and exec. Runs on the calling thread; costs one {@code clone(CLONE_VM |
 * CLONE_VFORK)} and {@code execve}, whatever the JVM's heap size.
 */
final class Spawner {
    private static final int O_WRONLY = 1;
    private static final int O_CREAT = 0x40;
    private static final int O_TRUNC = 0x200;
    private static final int O_APPEND = 0x400;
    private static final int RLIMIT_NPROC = 6;
    private static final String DEV_NULL = "/dev/null";
    /** Read-only after initialisation, shared by every spawn. */
    private static final Memory EMPTY_SIGSET = new Memory(Spawn.SIGSET_SIZE);
    private static final Memory FULL_SIGSET = new Memory(Spawn.SIGSET_SIZE);

    static {
        EMPTY_SIGSET.clear();
        for (int i = 0; i < Spawn.SIGSET_SIZE; i++) {
            FULL_SIGSET.setByte(i, (byte) 0xff);
        }
    }

    private Spawner() {
    }

    /**
     * Spawns the child.
     *
     * @param spec what to start
     * @return the pid and this JVM's pipe ends
     * @throws IOException typed: see {@link ChildProcess#start}
     */
    static SpawnedChild spawn(ProcessSpec spec) throws IOException {
        Map<String, String> environment = spec.environment();
        Path directory = spec.directory().orElse(null);
        if (directory != null) {
            if (!Files.exists(directory)) {
                throw new NoSuchFileException(directory.toString(), null, "the working directory does not exist");
            }
            if (!Files.isDirectory(directory)) {
                throw new NotDirectoryException(directory + ": the working directory is not a directory");
            }
        }
        String name = spec.argv().get(0);
        Path executable = ExecutableResolver.resolve(name, environment, directory);

        List<OwnedFd> childEnds = new ArrayList<>(3);
        OwnedFd[] parentEnds = new OwnedFd[3];
        boolean spawned = false;
        try {
            int[] sources = new int[3];
            sources[0] = stdinSource(spec.stdin(), childEnds, parentEnds);
            sources[1] = outputSource(spec.stdout(), 1, childEnds, parentEnds);
            sources[2] = spec.stderr() == Redirect.TO_STDOUT ? -2 : outputSource(spec.stderr(), 2, childEnds, parentEnds);
            List<String> env = new ArrayList<>(environment.size());
            environment.forEach((k, v) -> env.add(k + "=" + v));
            int pid = posixSpawn(executable, name, spec, sources, env, directory);
            spawned = true;
            return new SpawnedChild(pid, parentEnds[0], parentEnds[1], parentEnds[2]);
        } finally {
            childEnds.forEach(OwnedFd::close);
            if (!spawned) {
                for (OwnedFd fd : parentEnds) {
                    if (fd != null) {
                        fd.close();
                    }
                }
            }
        }
    }

    /** The fd the child dup2s to 0, or -1 to inherit. */
    private static int stdinSource(Redirect redirect, List<OwnedFd> childEnds, OwnedFd[] parentEnds) throws IOException {
        if (redirect == Redirect.INHERIT) {
            return -1;
        }
        if (redirect == Redirect.PIPE) {
            PipePair pipe = PipePair.forChildInput();
            childEnds.add(pipe.readEnd());
            parentEnds[0] = pipe.writeEnd();
            return pipe.readEnd().get();
        }
        Path file = redirect == Redirect.DISCARD ? Path.of(DEV_NULL) : ((Redirect.ReadFrom) redirect).file();
        OwnedFd fd = open(file, Io.O_RDONLY, "stdin");
        childEnds.add(fd);
        return fd.get();
    }

    /** The fd the child dup2s to {@code target}, or -1 to inherit. */
    private static int outputSource(Redirect redirect, int target, List<OwnedFd> childEnds, OwnedFd[] parentEnds)
            throws IOException {
        String stream = target == 1 ? "stdout" : "stderr";
        if (redirect == Redirect.INHERIT) {
            return -1;
        }
        if (redirect == Redirect.PIPE) {
            PipePair pipe = PipePair.forChildOutput();
            childEnds.add(pipe.writeEnd());
            parentEnds[target] = pipe.readEnd();
            return pipe.writeEnd().get();
        }
        OwnedFd fd;
        if (redirect == Redirect.DISCARD) {
            fd = open(Path.of(DEV_NULL), O_WRONLY, stream);
        } else {
            Redirect.WriteTo w = (Redirect.WriteTo) redirect;
            fd = open(w.file(), O_WRONLY | O_CREAT | (w.append() ? O_APPEND : O_TRUNC), stream);
        }
        childEnds.add(fd);
        return fd.get();
    }

    private static OwnedFd open(Path file, int flags, String stream) throws IOException {
        byte[] name = file.toString().getBytes(StandardCharsets.UTF_8);
        int fd;
        try (Memory path = new Memory(name.length + 1L)) {
            path.write(0, name, 0, name.length);
            path.setByte(name.length, (byte) 0);
            fd = LibC.openat(Io.AT_FDCWD, path, flags | Io.O_CLOEXEC, 0666);
        }
        if (fd >= 0) {
            return new OwnedFd(fd, stream + " file " + file);
        }
        int errno = Native.getLastError();
        switch (errno) {
            case Errno.ENOENT:
                throw new NoSuchFileException(file.toString(), null, stream + " redirect: the file (or a directory on its path) does not exist");
            case Errno.EACCES:
            case Errno.EPERM:
                throw new AccessDeniedException(file.toString(), null, stream + " redirect: no permission to "
                        + ((flags & O_WRONLY) != 0 ? "write" : "read") + " it; fix its mode or owner");
            case 21: // EISDIR
                throw new FileSystemException(file.toString(), null, stream + " redirect: is a directory");
            default:
                throw Errno.exception("open " + file + " for " + stream, errno, null);
        }
    }

    private static int posixSpawn(Path executable, String name, ProcessSpec spec, int[] sources, List<String> env,
            Path directory) throws IOException {
        List<String> strings = new ArrayList<>(spec.argv().size() + env.size() + 2);
        strings.add(executable.toString());
        strings.add(directory != null ? directory.toString() : "");
        strings.addAll(spec.argv());
        strings.addAll(env);
        byte[][] bytes = new byte[strings.size()][];
        long total = 0;
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = strings.get(i).getBytes(StandardCharsets.UTF_8);
            total += bytes[i].length + 1;
        }
        int argc = spec.argv().size();
        try (Memory text = new Memory(total);
                Memory argv = new Memory((argc + 1L) * Native.POINTER_SIZE);
                Memory envp = new Memory((env.size() + 1L) * Native.POINTER_SIZE);
                Memory actions = new Memory(Spawn.FILE_ACTIONS_SIZE);
                Memory attr = new Memory(Spawn.ATTR_SIZE);
                Memory pid = new Memory(4)) {
            Pointer[] pointers = new Pointer[bytes.length];
            long offset = 0;
            for (int i = 0; i < bytes.length; i++) {
                text.write(offset, bytes[i], 0, bytes[i].length);
                text.setByte(offset + bytes[i].length, (byte) 0);
                pointers[i] = text.share(offset);
                offset += bytes[i].length + 1;
            }
            for (int i = 0; i < argc; i++) {
                argv.setPointer((long) i * Native.POINTER_SIZE, pointers[2 + i]);
            }
            argv.setPointer((long) argc * Native.POINTER_SIZE, Pointer.NULL);
            for (int i = 0; i < env.size(); i++) {
                envp.setPointer((long) i * Native.POINTER_SIZE, pointers[2 + argc + i]);
            }
            envp.setPointer((long) env.size() * Native.POINTER_SIZE, Pointer.NULL);

            check("posix_spawn_file_actions_init", Spawn.posix_spawn_file_actions_init(actions));
            try {
                check("posix_spawnattr_init", Spawn.posix_spawnattr_init(attr));
                try {
                    for (int target = 0; target < 3; target++) {
                        if (sources[target] >= 0) {
                            check("posix_spawn_file_actions_adddup2",
                                    Spawn.posix_spawn_file_actions_adddup2(actions, sources[target], target));
                        } else if (sources[target] == -2) {
                            check("posix_spawn_file_actions_adddup2",
                                    Spawn.posix_spawn_file_actions_adddup2(actions, 1, 2));
                        }
                    }
                    check("posix_spawn_file_actions_addclosefrom_np",
                            Spawn.posix_spawn_file_actions_addclosefrom_np(actions, 3));
                    if (directory != null) {
                        check("posix_spawn_file_actions_addchdir_np",
                                Spawn.posix_spawn_file_actions_addchdir_np(actions, pointers[1]));
                    }
                    short flags = (short) (Spawn.POSIX_SPAWN_SETSIGMASK | Spawn.POSIX_SPAWN_SETSIGDEF
                            | (spec.processGroup() ? Spawn.POSIX_SPAWN_SETPGROUP : 0));
                    check("posix_spawnattr_setflags", Spawn.posix_spawnattr_setflags(attr, flags));
                    check("posix_spawnattr_setsigmask", Spawn.posix_spawnattr_setsigmask(attr, EMPTY_SIGSET));
                    check("posix_spawnattr_setsigdefault", Spawn.posix_spawnattr_setsigdefault(attr, FULL_SIGSET));
                    if (spec.processGroup()) {
                        check("posix_spawnattr_setpgroup", Spawn.posix_spawnattr_setpgroup(attr, 0));
                    }
                    int r = Spawn.posix_spawn(pid, pointers[0], actions, attr, argv, envp);
                    if (r != 0) {
                        throw spawnFailure(r, executable, name, directory);
                    }
                    return pid.getInt(0);
                } finally {
                    Spawn.posix_spawnattr_destroy(attr);
                }
            } finally {
                Spawn.posix_spawn_file_actions_destroy(actions);
            }
        }
    }

    private static void check(String call, int r) throws KernelException {
        if (r != 0) {
            throw Errno.exception(call, r, null);
        }
    }

    /** Maps the error number {@code posix_spawn} returned (exec and file-action failures included). */
    static IOException spawnFailure(int errno, Path executable, String name, Path directory) {
        String file = executable.toString();
        switch (errno) {
            case Errno.ENOENT:
                return new NoSuchFileException(file, null, "execve: the executable, the interpreter named on its #! line,"
                        + " or its dynamic loader does not exist" + (directory != null ? " (or the directory " + directory
                        + " vanished)" : ""));
            case Errno.ENOTDIR:
                return new NoSuchFileException(file, null, "execve: a component of the path (or of the working directory "
                        + directory + ") is not a directory");
            case Errno.EACCES:
                return new AccessDeniedException(file, null, "execve refused: not executable (chmod +x), on a noexec mount,"
                        + " or a directory on the path is not searchable");
            case 8: // ENOEXEC
                return new AccessDeniedException(file, null, "execve: exec format error: neither a binary for this machine"
                        + " nor a script starting with #!; run it through its interpreter");
            case Errno.EAGAIN:
                return new ResourceLimitException("posix_spawn " + name, errno, "RLIMIT_NPROC",
                        Limits.describe(Limits.rlimit(RLIMIT_NPROC)) + ", kernel.pid_max "
                                + Limits.readProc("/proc/sys/kernel/pid_max"),
                        "too many processes: wait for children to end, raise RLIMIT_NPROC (ulimit -u, LimitNPROC=)"
                                + " or kernel.pid_max / kernel.threads-max");
            default:
                return Errno.exception("posix_spawn " + name, errno, null);
        }
    }
}
