/**
 * Processes as events (AEM's aem-pexit): the exit of any pid, watched through a pidfd on the
 * event loop with no thread per process, and signals sent safely against pid reuse.
 *
 * <p>{@link io.aem.linux.proc.ProcessExitSource} is the source; {@link io.aem.linux.proc.ProcessExit}
 * the event; {@link io.aem.linux.proc.ProcessHandleFd} a pidfd held to signal a process.
 */
package io.aem.linux.proc;
