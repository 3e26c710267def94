package io.aem.linux.proc;

/**
 * What happens to a running child when the last subscriber of its exit cancels before the exit
 * (a Reactor {@code exec} cancelled by a {@code timeout} or {@code take}, for example), or when
 * {@link ChildProcess#terminate()} is not enough. Whatever the policy, the child's supervisor
 * still reaps it when it ends: no policy leaves a zombie.
 */
public enum CancelPolicy {
    /** {@code SIGKILL} at once. */
    KILL,
    /**
     * {@code SIGTERM}, then {@code SIGKILL} if the child is still running after the spec's
     * {@linkplain ProcessSpec#withKillGrace kill grace} (5 s by default). The default.
     */
    TERMINATE,
    /** Nothing is sent: the child keeps running and is reaped when it ends. */
    LEAVE_RUNNING
}
