/*
 * The C reference of the 10 ms timer lateness: one CLOCK_MONOTONIC timerfd in an epoll set,
 * armed as a one-shot at an absolute deadline 10 ms after "now", waited for with epoll_wait and
 * read; the sample is the clock after the read minus the deadline. One timer at a time, re-armed
 * after each fire, the thread pinned to one CPU.
 *
 * Usage: timerfd_lateness WARMUP SAMPLES CPU [DELAY_US]
 *   WARMUP   fires not reported (0-100000)
 *   SAMPLES  fires reported (1-1000000)
 *   CPU      the CPU to pin to, or -1 for none
 *   DELAY_US the one-shot's delay, default 10000 (10 ms)
 * Prints lateness.c.n, .mean_us, .p50_us, .p90_us, .p99_us, .p999_us, .max_us (bench_stats.h);
 * every epoll_wait is bounded by 1 s and a missing fire is fatal.
 */
#define _GNU_SOURCE
#include "bench_stats.h"

#include <stdint.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: %s WARMUP SAMPLES CPU [DELAY_US]\n", argv[0]);
        return 2;
    }
    long warmup = atol(argv[1]);
    long samples = atol(argv[2]);
    int cpu = atoi(argv[3]);
    long delay_us = argc == 5 ? atol(argv[4]) : 10000;
    if (warmup < 0 || warmup > 100000 || samples < 1 || samples > 1000000 || delay_us < 1 || delay_us > 1000000) {
        fprintf(stderr, "%s: WARMUP 0-100000, SAMPLES 1-1000000, DELAY_US 1-1000000\n", argv[0]);
        return 2;
    }
    if (cpu >= 0) {
        pin(cpu);
    }
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (tfd < 0) {
        die("timerfd_create");
    }
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) {
        die("epoll_create1");
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = tfd};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev) != 0) {
        die("epoll_ctl");
    }
    int64_t *v = malloc(sizeof *v * samples);
    if (v == NULL) {
        die("malloc");
    }
    int64_t delay = delay_us * 1000L;
    for (long i = 0; i < warmup + samples; i++) {
        int64_t deadline = now_ns() + delay;
        struct itimerspec its = {
            .it_value = {.tv_sec = deadline / 1000000000L, .tv_nsec = deadline % 1000000000L},
        };
        if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) != 0) {
            die("timerfd_settime");
        }
        struct epoll_event out;
        int n;
        do {
            n = epoll_wait(ep, &out, 1, 1000);
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            die("epoll_wait");
        }
        if (n == 0) {
            fprintf(stderr, "%s: the timer did not fire within 1 s\n", argv[0]);
            return 1;
        }
        uint64_t expirations;
        if (read(tfd, &expirations, sizeof expirations) != (ssize_t) sizeof expirations) {
            die("read");
        }
        int64_t late = now_ns() - deadline;
        if (i >= warmup) {
            v[i - warmup] = late;
        }
    }
    report_us("lateness.c", v, samples);
    free(v);
    close(ep);
    close(tfd);
    return 0;
}
