/**
 * Processes as events (AEM's aem-pexit): the exit of any pid, watched through a pidfd on the
 * event loop with no thread per process; every process event of the system from the kernel's
 * process connector; and signals sent safely against pid reuse.
 *
 * <p>{@link io.aem.linux.proc.ProcessExitSource} is the exit of one pid, as a
 * {@link io.aem.linux.proc.ProcessExit}: the status from {@code waitid} for a child, from the
 * loop's shared process-connector socket for any other process where the connector is available
 * ({@link io.aem.linux.proc.ProcessExitSource#nonChildStatusAvailable}), else
 * {@link io.aem.linux.proc.ProcessExit.UnknownStatus}.
 *
 * <p>{@link io.aem.linux.proc.ProcConnectorSource} streams {@link io.aem.linux.proc.ProcEvent}s
 * (fork, exec, exit, uid, gid, sid, ptrace, comm, coredump, and the explicit loss event
 * {@link io.aem.linux.proc.ProcEvent.Lost} for {@code ENOBUFS}) of the kinds asked for in
 * {@link io.aem.linux.proc.ProcessEvents} ({@link io.aem.linux.proc.ProcEventKind}, filtered in
 * the kernel from Linux 6.6), read only under demand. {@link io.aem.linux.proc.ProcConnectorRecords}
 * is its pure decoder, which reports malformed bytes as
 * {@link io.aem.linux.proc.MalformedProcEventException}.
 *
 * <p>{@link io.aem.linux.proc.ProcessHandleFd} is a pidfd held to signal a process.
 *
 * <p>Children started and supervised on the loop (AEM's EVF_FORK jobs):
 * {@link io.aem.linux.proc.ProcessSpec} says what to run (argv without a shell, environment,
 * directory, {@link io.aem.linux.proc.Redirect}s of fds 0-2, timeout, kill grace,
 * {@link io.aem.linux.proc.CancelPolicy}); {@link io.aem.linux.proc.ChildProcess#start} spawns it
 * with {@code posix_spawn} and reaps it through its pidfd the moment it exits, whether or not
 * anyone watches, so no child is left a zombie and no thread waits for it. Start errors are
 * typed: {@code NoSuchFileException} and {@code AccessDeniedException} naming the executable and
 * the {@code PATH} searched, {@code ResourceLimitException} for {@code RLIMIT_NOFILE} and
 * {@code RLIMIT_NPROC}.
 *
 * <p>Pipes for a child's stdio: {@link io.aem.linux.proc.PipePair} makes a pipe whose end kept by
 * this process is non-blocking and whose child end is blocking; {@link io.aem.linux.proc.PipeSource}
 * reads a read end as a backpressured stream of byte chunks (stdout, stderr);
 * {@link io.aem.linux.proc.PipeSink} writes a publisher of byte buffers into a write end (stdin),
 * requesting only what the pipe takes. A reader that went away is a
 * {@link io.aem.linux.proc.BrokenPipeException}.
 *
 * <p>Event-created processes: {@link io.aem.linux.proc.Jobs} starts a process for each upstream
 * event, the command built from the event, with a concurrency limit and backpressure (a job keeps
 * its slot until its exit is delivered), and emits each job's {@link io.aem.linux.proc.JobExit}.
 */
package io.aem.linux.proc;
