package io.aem.linux.proc;

import java.util.Objects;

/**
 * One event of the kernel's process connector: something happened to some process of the whole
 * system. Immutable.
 *
 * <p>Every record read from the kernel carries the CPU it was generated on and the kernel's
 * timestamp {@code timestampNanos}: {@code CLOCK_MONOTONIC} nanoseconds
 * ({@code ktime_get_ns()}), the clock of {@link System#nanoTime()} on Linux, so
 * {@code System.nanoTime() - timestampNanos} is the delay from the kernel to the reader. Pids and
 * tgids are those of the initial pid namespace (the connector reports nothing else). A thread is
 * a task with {@code pid != tgid}; a process (thread-group leader) has {@code pid == tgid}.
 *
 * <p>{@link Lost} is the one event that does not come from a record: the socket overflowed.
 */
public sealed interface ProcEvent {

    /**
     * {@code PROC_EVENT_FORK}: a task was created ({@code fork}, {@code vfork}, {@code clone},
     * including new threads, whose {@code childTgid} is the creator's).
     *
     * @param cpu            the CPU
     * @param timestampNanos the kernel's {@code CLOCK_MONOTONIC} time in ns
     * @param parentPid      the parent task (for a thread, the group leader's pid)
     * @param parentTgid     the parent process
     * @param childPid       the new task
     * @param childTgid      the new task's process
     */
    record Fork(int cpu, long timestampNanos, int parentPid, int parentTgid, int childPid, int childTgid)
            implements ProcEvent {
    }

    /**
     * {@code PROC_EVENT_EXEC}: a task executed a new program.
     *
     * @param cpu            the CPU
     * @param timestampNanos the kernel's {@code CLOCK_MONOTONIC} time in ns
     * @param pid            the task
     * @param tgid           its process
     */
    record Exec(int cpu, long timestampNanos, int pid, int tgid) implements ProcEvent {
    }

    /**
     * {@code PROC_EVENT_UID}: a task's user ids changed.
     *
     * @param cpu            the CPU
     * @param timestampNanos the kernel's {@code CLOCK_MONOTONIC} time in ns
     * @param pid            the task
     * @param tgid           its process
     * @param ruid           the new real uid (unsigned 32-bit)
     * @param euid           the new effective uid (unsigned 32-bit)
     */
    record Uid(int cpu, long timestampNanos, int pid, int tgid, long ruid, long euid) implements ProcEvent {
    }

    /**
     * {@code PROC_EVENT_GID}: a task's group ids changed.
     *
     * @param cpu            the CPU
     * @param timestampNanos the kernel's {@code CLOCK_MONOTONIC} time in ns
     * @param pid            the task
     * @param tgid           its process
     * @param rgid           the new real gid (unsigned 32-bit)
     * @param egid           the new effective gid (unsigned 32-bit)
     */
    record Gid(int cpu, long timestampNanos, int pid, int tgid, long rgid, long egid) implements ProcEvent {
    }

    /**
     * {@code PROC_EVENT_SID}: a task started a new session ({@code setsid}).
     *
     * @param cpu            the CPU
     * @param timestampNanos the kernel's {@code CLOCK_MONOTONIC} time in ns
     * @param pid            the task
     * @param tgid           its process
     */
    record Sid(int cpu, long timestampNanos, int pid, int tgid) implements ProcEvent {
    }

    /**
     * {@code PROC_EVENT_PTRACE}: a tracer attached to the task, or detached (tracer 0).
     *
     * @param cpu            the CPU
     * @param timestampNanos the kernel's {@code CLOCK_MONOTONIC} time in ns
     * @param pid            the traced task
     * @param tgid           its process
     * @param tracerPid      the tracer task, {@code 0} on detach
     * @param tracerTgid     the tracer process, {@code 0} on detach
     */
    record Ptrace(int cpu, long timestampNanos, int pid, int tgid, int tracerPid, int tracerTgid)
            implements ProcEvent {
    }

    /**
     * {@code PROC_EVENT_COMM}: a task's name changed, by {@code prctl(PR_SET_NAME)} or a write to
     * {@code /proc/<pid>/comm}. An {@code exec} changes the name too but sends only {@link Exec}.
     *
     * @param cpu            the CPU
     * @param timestampNanos the kernel's {@code CLOCK_MONOTONIC} time in ns
     * @param pid            the task
     * @param tgid           its process
     * @param comm           the new name, at most 15 bytes, decoded as UTF-8 up to the first NUL
     */
    record Comm(int cpu, long timestampNanos, int pid, int tgid, String comm) implements ProcEvent {
        /** Checks the name. */
        public Comm {
            Objects.requireNonNull(comm, "comm");
        }
    }

    /**
     * {@code PROC_EVENT_COREDUMP}: a task got a signal whose default action dumps core. Sent
     * before the dump is attempted, so it comes whether or not a core is written; the
     * {@link Exit} that follows says {@link ProcessExit.Dumped} only if one was.
     *
     * @param cpu            the CPU
     * @param timestampNanos the kernel's {@code CLOCK_MONOTONIC} time in ns
     * @param pid            the task
     * @param tgid           its process
     * @param parentPid      its parent task, {@code 0} if gone
     * @param parentTgid     its parent process, {@code 0} if gone
     */
    record Coredump(int cpu, long timestampNanos, int pid, int tgid, int parentPid, int parentTgid)
            implements ProcEvent {
    }

    /**
     * {@code PROC_EVENT_EXIT}: a task ended (every thread sends one; the process is gone when its
     * leader, {@code pid == tgid}, has sent its own).
     *
     * @param cpu            the CPU
     * @param timestampNanos the kernel's {@code CLOCK_MONOTONIC} time in ns
     * @param pid            the task
     * @param tgid           its process
     * @param status         the kernel's {@code exit_code} decoded as a wait status:
     *                       {@link ProcessExit.Exited} ({@code code << 8}), {@link ProcessExit.Killed}
     *                       (the signal), or {@link ProcessExit.Dumped} (the signal with the core bit
     *                       {@code 0x80}); never {@link ProcessExit.UnknownStatus}
     * @param exitSignal     the signal the parent is sent ({@code SIGCHLD}, 17, for a process;
     *                       {@code -1} for a thread)
     * @param parentPid      the parent task, {@code 0} if gone
     * @param parentTgid     the parent process, {@code 0} if gone
     */
    record Exit(int cpu, long timestampNanos, int pid, int tgid, ProcessExit.Status status, int exitSignal,
            int parentPid, int parentTgid) implements ProcEvent {
        /** Checks the status. */
        public Exit {
            Objects.requireNonNull(status, "status");
        }
    }

    /**
     * A record of a type this library does not know (a newer kernel's), kept so that nothing is
     * dropped silently; its data is not decoded.
     *
     * @param cpu            the CPU
     * @param timestampNanos the kernel's {@code CLOCK_MONOTONIC} time in ns
     * @param what           the kernel's {@code what} value
     */
    record Unknown(int cpu, long timestampNanos, int what) implements ProcEvent {
    }

    /**
     * The socket's receive buffer overflowed while the subscriber had no demand or read too
     * slowly: the kernel dropped process events and said so once ({@code recv} answered
     * {@code ENOBUFS}). The kernel does not say how many were dropped, only that at least one
     * was; events after this one arrive as before.
     *
     * @param count how many overflow reports this event stands for: {@code 1} per {@code ENOBUFS}
     *              (not the number of events lost, which is unknown and at least {@code count})
     */
    record Lost(long count) implements ProcEvent {
        /** Checks the count. */
        public Lost {
            if (count < 1) {
                throw new IllegalArgumentException("a loss report stands for at least one overflow, was " + count);
            }
        }
    }
}
