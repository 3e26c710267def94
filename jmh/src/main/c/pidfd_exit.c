/*
 * C reference for io.aem.jmh.ProcessExitLatency: a child's exit → the parent holds it, through a
 * pidfd in epoll, the way the library's supervisor is told.
 *
 *   parent (pinned to RECEIVER_CPU)                         child exit_stamp (pins to CHILD_CPU)
 *   posix_spawn(exit_stamp STAMP CHILD_CPU)   ─────────▶    stamp = CLOCK_MONOTONIC → STAMP file
 *   pidfd_open(pid); epoll_ctl(ADD, pidfd)                  _exit(0)
 *   epoll_wait(pidfd readable)                ◀─────────    (kernel tears the child down)
 *   waitid(P_PIDFD) reaps it: the status in hand
 *   t = CLOCK_MONOTONIC; exit code 0 checked
 *   sample = t - stamp
 *
 * The exit counts as held once its status is read (the library's onNext and the JDK's onExit()
 * carry it too), so the clock is read after waitid, which also reaps the child. One child at a
 * time. The child gets an empty signal mask and default dispositions, as the library's children
 * do. Each sample is checked: exit code 0 and a stamp that is not older than the spawn.
 *
 * Usage: pidfd_exit EXIT_STAMP_PROGRAM STAMP_FILE WARMUP ITERATIONS RECEIVER_CPU CHILD_CPU
 * (a CPU of -1: not pinned)
 * Prints "key value" lines: exit.c.n, exit.c.p50_us, ...; exits non-zero on any failure,
 * including an exit not reported within 2 s.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_stats.h"

extern char **environ;

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: pidfd_exit EXIT_STAMP_PROGRAM STAMP_FILE WARMUP ITERATIONS RECEIVER_CPU CHILD_CPU\n");
        return 2;
    }
    const char *prog = argv[1];
    const char *stamp_file = argv[2];
    long warmup = atol(argv[3]);
    long iterations = atol(argv[4]);
    if (warmup < 0 || iterations < 1 || iterations > 10000000) {
        fprintf(stderr, "pidfd_exit: bad counts\n");
        return 2;
    }
    if (atoi(argv[5]) >= 0) {
        pin(atoi(argv[5]));
    }
    int stamp_fd = open(stamp_file, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (stamp_fd < 0) {
        die("open stamp file");
    }
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) {
        die("epoll_create1");
    }
    posix_spawnattr_t attr;
    sigset_t empty, all;
    sigemptyset(&empty);
    sigfillset(&all);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setsigmask(&attr, &empty);
    posix_spawnattr_setsigdefault(&attr, &all);
    char *child_argv[] = {(char *) prog, (char *) stamp_file, argv[6], NULL};
    int64_t *samples = calloc(iterations, sizeof *samples);
    if (samples == NULL) {
        die("calloc");
    }
    for (long i = 0; i < warmup + iterations; i++) {
        int64_t zero = 0;
        if (pwrite(stamp_fd, &zero, sizeof zero, 0) != (ssize_t) sizeof zero) {
            die("pwrite");
        }
        int64_t spawned_at = now_ns();
        pid_t pid;
        int r = posix_spawn(&pid, prog, NULL, &attr, child_argv, environ);
        if (r != 0) {
            errno = r;
            die("posix_spawn");
        }
        int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0) {
            die("pidfd_open");
        }
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, pidfd, &ev) < 0) {
            die("epoll_ctl");
        }
        int n;
        do {
            n = epoll_wait(ep, &ev, 1, 2000);
        } while (n < 0 && errno == EINTR);
        if (n <= 0) {
            fprintf(stderr, "pidfd_exit: no exit within 2 s\n");
            return 1;
        }
        siginfo_t info;
        memset(&info, 0, sizeof info);
        if (waitid(P_PIDFD, pidfd, &info, WEXITED) != 0) {
            die("waitid");
        }
        int64_t t = now_ns();
        close(pidfd);
        if (info.si_code != CLD_EXITED || info.si_status != 0) {
            fprintf(stderr, "pidfd_exit: child ended with code %d status %d\n", info.si_code, info.si_status);
            return 1;
        }
        int64_t stamp;
        if (pread(stamp_fd, &stamp, sizeof stamp, 0) != (ssize_t) sizeof stamp || stamp < spawned_at) {
            fprintf(stderr, "pidfd_exit: the child left no stamp\n");
            return 1;
        }
        if (i >= warmup) {
            samples[i - warmup] = t - stamp;
        }
    }
    report_us("exit.c", samples, iterations);
    return 0;
}
