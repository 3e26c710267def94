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
 */
package io.aem.linux.proc;
