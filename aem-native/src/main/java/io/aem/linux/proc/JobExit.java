package io.aem.linux.proc;

import java.util.Objects;

/**
 * The end of one job of a {@link Jobs} stream: the upstream event that started it and how its
 * process ended.
 *
 * @param event the event the job's command was built from
 * @param exit  how the job's process ended (its pid, exit code or signal, and when it was seen)
 * @param <T>   the event type
 */
public record JobExit<T>(T event, ProcessExit exit) {
    /** Checks the arguments. */
    public JobExit {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(exit, "exit");
    }
}
