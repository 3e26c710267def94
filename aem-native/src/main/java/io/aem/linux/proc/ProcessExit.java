package io.aem.linux.proc;

import java.time.Instant;
import java.util.Objects;

/**
 * How a process ended, and when the event loop saw it.
 *
 * @param pid        the process id (the kernel's, in this JVM's pid namespace)
 * @param status     how it ended: {@link Exited}, {@link Killed}, {@link Dumped}, or
 *                   {@link UnknownStatus} when the process was not a child of this JVM
 * @param seenNanos  {@link System#nanoTime()} when the loop read the exit (not when the process
 *                   ended: that moment is not reported by the kernel; the difference is the
 *                   loop's latency plus any time the exit waited for demand)
 * @param seenAt     the wall-clock time of the same moment
 */
public record ProcessExit(long pid, Status status, long seenNanos, Instant seenAt) {
    /** Checks the arguments. */
    public ProcessExit {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(seenAt, "seenAt");
    }

    /** How a process ended. */
    public sealed interface Status permits Exited, Killed, Dumped, UnknownStatus {
    }

    /**
     * The process called {@code exit} ({@code CLD_EXITED}).
     *
     * @param code the exit code, 0..255 (the low 8 bits of what it passed to {@code exit})
     */
    public record Exited(int code) implements Status {
    }

    /**
     * A signal ended the process and no core dump was written ({@code CLD_KILLED}).
     *
     * @param signal the signal number, for example 9 for {@code SIGKILL}
     */
    public record Killed(int signal) implements Status {
    }

    /**
     * A signal ended the process and the kernel wrote a core dump ({@code CLD_DUMPED}): the signal's
     * default action is to dump core, and the core settings ({@code RLIMIT_CORE},
     * {@code kernel.core_pattern}) allowed one.
     *
     * @param signal the signal number, for example 11 for {@code SIGSEGV}
     */
    public record Dumped(int signal) implements Status {
    }

    /**
     * The process has ended but its exit code or signal is not known: it was not a child of this
     * JVM (only the parent can reap it and read the status), or something else in this JVM reaped
     * it first. Never a made-up code.
     */
    public record UnknownStatus() implements Status {
    }

    /** Whether the process exited normally with code 0. */
    public boolean isSuccess() {
        return status instanceof Exited e && e.code() == 0;
    }
}
