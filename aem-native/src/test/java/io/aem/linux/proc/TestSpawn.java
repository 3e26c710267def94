package io.aem.linux.proc;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import io.aem.linux.sys.Pidfd;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Starts true children of this JVM with {@code posix_spawnp} for the exit tests: unlike a
 * {@link ProcessBuilder} child, nothing in the JDK waits for them, so the exit status is left for
 * the source to reap. The child gets an empty signal mask and default dispositions for every
 * signal ({@code POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF}) and this JVM's environment;
 * it inherits fds not marked close-on-exec, which is harmless for the short shell commands used.
 * Tests only.
 */
final class TestSpawn {
    private static final short POSIX_SPAWN_SETSIGDEF = 4;
    private static final short POSIX_SPAWN_SETSIGMASK = 8;
    private static final int ATTR_SIZE = 336;
    private static final int SIGSET_SIZE = 128;
    /** {@code sizeof(posix_spawn_file_actions_t)} is 80 on x86-64 glibc; rounded up. */
    private static final int FILE_ACTIONS_SIZE = 128;

    static {
        Native.register(TestSpawn.class, NativeLibrary.getInstance("c"));
    }

    private static native int posix_spawnp(Pointer pid, Pointer file, Pointer fileActions, Pointer attr,
            Pointer argv, Pointer envp);

    private static native int posix_spawnattr_init(Pointer attr);

    private static native int posix_spawn_file_actions_init(Pointer actions);

    private static native int posix_spawn_file_actions_destroy(Pointer actions);

    private static native int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newFd);

    private static native int posix_spawnattr_destroy(Pointer attr);

    private static native int posix_spawnattr_setflags(Pointer attr, short flags);

    private static native int posix_spawnattr_setsigmask(Pointer attr, Pointer sigset);

    private static native int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigset);

    private TestSpawn() {
    }

    /** Starts {@code /bin/sh -c script}; returns the child's pid. */
    static int sh(String script) {
        return spawn("/bin/sh", "-c", script);
    }

    /** Starts the command found on {@code PATH}; returns the child's pid. */
    static int spawn(String... argv) {
        return spawnWithStdout(-1, argv);
    }

    /**
     * Starts the command found on {@code PATH} with {@code stdoutFd} duplicated onto its fd 1
     * ({@code posix_spawn_file_actions_adddup2}, which leaves the duplicate without close-on-exec);
     * {@code -1} keeps this JVM's stdout. Returns the child's pid.
     */
    static int spawnWithStdout(int stdoutFd, String... argv) {
        Memory[] strings = new Memory[argv.length];
        Memory argvArray = new Memory((long) (argv.length + 1) * Native.POINTER_SIZE);
        for (int i = 0; i < argv.length; i++) {
            byte[] b = argv[i].getBytes(StandardCharsets.UTF_8);
            strings[i] = new Memory(b.length + 1);
            strings[i].write(0, b, 0, b.length);
            strings[i].setByte(b.length, (byte) 0);
            argvArray.setPointer((long) i * Native.POINTER_SIZE, strings[i]);
        }
        argvArray.setPointer((long) argv.length * Native.POINTER_SIZE, Pointer.NULL);
        Pointer environ = NativeLibrary.getInstance("c").getGlobalVariableAddress("environ").getPointer(0);
        try (Memory attr = new Memory(ATTR_SIZE); Memory emptySet = new Memory(SIGSET_SIZE);
                Memory fullSet = new Memory(SIGSET_SIZE); Memory pid = new Memory(4);
                Memory actions = new Memory(FILE_ACTIONS_SIZE)) {
            emptySet.clear();
            for (int i = 0; i < SIGSET_SIZE; i++) {
                fullSet.setByte(i, (byte) 0xff);
            }
            check("posix_spawnattr_init", posix_spawnattr_init(attr));
            check("posix_spawn_file_actions_init", posix_spawn_file_actions_init(actions));
            try {
                if (stdoutFd >= 0) {
                    check("posix_spawn_file_actions_adddup2", posix_spawn_file_actions_adddup2(actions, stdoutFd, 1));
                }
                check("posix_spawnattr_setflags",
                        posix_spawnattr_setflags(attr, (short) (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)));
                check("posix_spawnattr_setsigmask", posix_spawnattr_setsigmask(attr, emptySet));
                check("posix_spawnattr_setsigdefault", posix_spawnattr_setsigdefault(attr, fullSet));
                check("posix_spawnp " + argv[0], posix_spawnp(pid, strings[0], actions, attr, argvArray, environ));
                return pid.getInt(0);
            } finally {
                posix_spawn_file_actions_destroy(actions);
                posix_spawnattr_destroy(attr);
            }
        }
    }

    private static void check(String call, int r) {
        if (r != 0) {
            throw new IllegalStateException(call + " failed: errno " + r);
        }
    }

    /**
     * Kills and reaps a child that is still unreaped (for {@code finally} blocks); does nothing
     * to a pid that is no longer this JVM's child. Never blocks longer than the kill takes.
     */
    static void killAndReap(int pid) {
        try (Memory info = new Memory(Pidfd.SIGINFO_SIZE)) {
            int r = Pidfd.waitid(Pidfd.P_PID, pid, info, Pidfd.WEXITED | Pidfd.WNOHANG);
            if (r != 0 || info.getInt(Pidfd.SI_PID) != 0) {
                return; // not our child any more (reaped), or reaped just now
            }
            // Still our unreaped child, so the pid cannot have been reused.
            try (ProcessHandleFd h = ProcessHandleFd.open(pid)) {
                h.sendSignal(9);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            Pidfd.waitid(Pidfd.P_PID, pid, info, Pidfd.WEXITED);
        }
    }
}
