package io.aem.linux.bpf;

/**
 * An event of the system-wide process-exit stream ({@code tp_btf/sched_process_exit}). Immutable.
 *
 * <p>{@link Exited} comes from a kernel record; {@link Lost} says that the ring buffer was full
 * and the kernel dropped that many exits, counted by the program.
 */
public sealed interface ProcessExitEvent {

    /**
     * A process ended: its last thread left {@code do_exit}.
     *
     * @param timestampNanos {@code bpf_ktime_get_ns()}: {@code CLOCK_MONOTONIC}, the clock of {@link System#nanoTime()}
     * @param tid            the thread that exited last
     * @param pid            the process (thread group id)
     * @param parentPid      its parent process at exit
     * @param uid            the real uid of the exiting task
     * @param cgroupId       its cgroup v2 id
     * @param status         the {@code wait(2)} status: {@code code << 8}, or the signal with {@code 0x80} for a core dump
     * @param command        the task's {@code comm}, at most 15 characters
     */
    record Exited(long timestampNanos, int tid, int pid, int parentPid, int uid, long cgroupId, int status,
                  String command) implements ProcessExitEvent {
        /** Whether the process called {@code exit} (rather than being killed by a signal). */
        public boolean exitedNormally() {
            return (status & 0x7f) == 0;
        }

        /** The exit code 0–255, or -1 when a signal ended the process. */
        public int exitCode() {
            return exitedNormally() ? (status >> 8) & 0xff : -1;
        }

        /** The signal that ended the process, or 0 when it exited. */
        public int signal() {
            return status & 0x7f;
        }

        /** Whether a core dump was written. */
        public boolean coreDumped() {
            return !exitedNormally() && (status & 0x80) != 0;
        }
    }

    /**
     * The ring buffer was full: the kernel dropped {@code count} exits.
     *
     * @param count how many, at least 1
     */
    record Lost(long count) implements ProcessExitEvent {
    }
}
