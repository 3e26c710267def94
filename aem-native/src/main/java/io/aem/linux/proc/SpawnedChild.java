package io.aem.linux.proc;

import io.aem.linux.OwnedFd;

/**
 * What {@link Spawner#spawn} hands back: the child's pid and this JVM's ends of its pipes
 * (non-blocking, close-on-exec), each {@code null} when that stream is not a {@link Redirect#PIPE}.
 *
 * @param pid      the child, unreaped
 * @param stdin    the write end of the child's stdin pipe
 * @param stdout   the read end of the child's stdout pipe
 * @param stderr   the read end of the child's stderr pipe
 */
record SpawnedChild(int pid, OwnedFd stdin, OwnedFd stdout, OwnedFd stderr) {
    /** Closes every pipe end held (after a failure to supervise). */
    void closePipes() {
        for (OwnedFd fd : new OwnedFd[] {stdin, stdout, stderr}) {
            if (fd != null) {
                fd.close();
            }
        }
    }
}
