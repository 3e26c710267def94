/*
 * The child of the process-exit benchmarks: pins itself to one CPU, reads CLOCK_MONOTONIC (the
 * clock of System.nanoTime()) as the last thing before _exit(0), and leaves that moment in the
 * first 8 bytes of STAMP_FILE for the parent to read after it was told of the exit. The latency
 * measured is therefore "the child's last instruction → the parent holds the exit", which
 * includes the kernel's teardown of the child (its address space, its fds) and the wake-up.
 *
 * Usage: exit_stamp STAMP_FILE CPU (-1: not pinned)
 * Exit code 0 after the stamp was written; 1 (with a message) if it could not be.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

#include "bench_common.h"

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: exit_stamp STAMP_FILE CPU\n");
        return 2;
    }
    if (atoi(argv[2]) >= 0) {
        pin(atoi(argv[2]));
    }
    int fd = open(argv[1], O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        die("open");
    }
    int64_t t = now_ns();
    if (pwrite(fd, &t, sizeof t, 0) != (ssize_t) sizeof t) {
        die("pwrite");
    }
    _exit(0);
}
