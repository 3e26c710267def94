package io.aem.linux.sys;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * {@code posix_spawn(3)} with its file actions and attributes, and {@code kill(2)}, bound with JNA
 * direct mapping.
 *
 * <p>Unlike the other wrappers these functions return what glibc returns: the spawn functions
 * return {@code 0} or a positive error number (they do not set {@code errno}); {@link #kill}
 * returns {@code 0} or {@code -errno}. glibc's {@code posix_spawn} is vfork-based
 * ({@code clone(CLONE_VM | CLONE_VFORK)}): the parent's memory is not copied, whatever the heap
 * size, and the call returns once the child has called {@code execve}, reporting an
 * {@code execve} or file-action failure as its result.
 *
 * <p>The opaque structures are allocated by the caller with {@link #FILE_ACTIONS_SIZE} and
 * {@link #ATTR_SIZE} bytes, the sizes glibc 2.36 reports on x86-64 ({@code sizeof}, checked with
 * a C program: 80 and 336; a {@code sigset_t} is 128). {@code addclosefrom_np} needs glibc 2.34,
 * {@code addchdir_np} glibc 2.29.
 *
 * <p>Thread-safe: every call works on caller-owned memory.
 */
public final class Spawn {
    /** {@code sizeof(posix_spawn_file_actions_t)}. */
    public static final int FILE_ACTIONS_SIZE = 80;
    /** {@code sizeof(posix_spawnattr_t)}. */
    public static final int ATTR_SIZE = 336;
    /** {@code sizeof(sigset_t)}. */
    public static final int SIGSET_SIZE = 128;
    /** {@code POSIX_SPAWN_SETPGROUP}: put the child in the process group set with {@link #posix_spawnattr_setpgroup}. */
    public static final short POSIX_SPAWN_SETPGROUP = 2;
    /** {@code POSIX_SPAWN_SETSIGDEF}: reset the signals of the set given to {@link #posix_spawnattr_setsigdefault} to their default action. */
    public static final short POSIX_SPAWN_SETSIGDEF = 4;
    /** {@code POSIX_SPAWN_SETSIGMASK}: the child starts with the mask given to {@link #posix_spawnattr_setsigmask}. */
    public static final short POSIX_SPAWN_SETSIGMASK = 8;

    static {
        Native.register(Spawn.class, NativeLibrary.getInstance(Platform.LIBC));
    }

    private Spawn() {
    }

    /** {@code int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr, char *const argv[], char *const envp[])}. */
    public static native int posix_spawn(Pointer pid, Pointer path, Pointer fileActions, Pointer attr, Pointer argv,
            Pointer envp);

    /** {@code int posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa)}. */
    public static native int posix_spawn_file_actions_init(Pointer fileActions);

    /** {@code int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)}. */
    public static native int posix_spawn_file_actions_destroy(Pointer fileActions);

    /** {@code int posix_spawn_file_actions_adddup2(fa, int fd, int newfd)}: in the child, {@code dup2(fd, newfd)} (which clears close-on-exec on {@code newfd}). */
    public static native int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newFd);

    /** {@code int posix_spawn_file_actions_addopen(fa, int fd, const char *path, int oflag, mode_t mode)}. */
    public static native int posix_spawn_file_actions_addopen(Pointer fileActions, int fd, Pointer path, int oflag,
            int mode);

    /** {@code int posix_spawn_file_actions_addclose(fa, int fd)}. */
    public static native int posix_spawn_file_actions_addclose(Pointer fileActions, int fd);

    /** {@code int posix_spawn_file_actions_addclosefrom_np(fa, int from)}: in the child, close every fd {@code >= from} (glibc 2.34). */
    public static native int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int from);

    /** {@code int posix_spawn_file_actions_addchdir_np(fa, const char *path)}: in the child, {@code chdir(path)} (glibc 2.29). */
    public static native int posix_spawn_file_actions_addchdir_np(Pointer fileActions, Pointer path);

    /** {@code int posix_spawnattr_init(posix_spawnattr_t *attr)}. */
    public static native int posix_spawnattr_init(Pointer attr);

    /** {@code int posix_spawnattr_destroy(posix_spawnattr_t *attr)}. */
    public static native int posix_spawnattr_destroy(Pointer attr);

    /** {@code int posix_spawnattr_setflags(posix_spawnattr_t *attr, short flags)}. */
    public static native int posix_spawnattr_setflags(Pointer attr, short flags);

    /** {@code int posix_spawnattr_setsigmask(attr, const sigset_t *mask)}. */
    public static native int posix_spawnattr_setsigmask(Pointer attr, Pointer sigset);

    /** {@code int posix_spawnattr_setsigdefault(attr, const sigset_t *set)}. */
    public static native int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigset);

    /** {@code int posix_spawnattr_setpgroup(attr, pid_t pgroup)}: {@code 0} makes the child the leader of a new group. */
    public static native int posix_spawnattr_setpgroup(Pointer attr, int pgroup);

    private static native int kill(int pid, int sig);

    /**
     * {@code kill(pid, sig)}; a negative {@code pid} signals the process group {@code -pid}.
     *
     * @return {@code 0} or {@code -errno}
     */
    public static int killProcess(int pid, int sig) {
        int r = kill(pid, sig);
        return r == 0 ? 0 : -Native.getLastError();
    }
}
