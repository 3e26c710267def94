/**
 * Processes as events (AEM's aem-pexit): the exit of any pid, watched through a pidfd on the
 * event loop with no thread per process, and signals sent safely against pid reuse.
 *
 * <p>{@link io.aem.linux.proc.ProcessExitSource} is the source; {@link io.aem.linux.proc.ProcessExit}
 * the event; {@link io.aem.linux.proc.ProcessHandleFd} a pidfd held to signal a process.
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
 */
package io.aem.linux.proc;
