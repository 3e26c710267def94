/*
 * C reference for io.aem.jmh.EventFdLatency: eventfd one-way wake-up latency between two
 * pinned threads, measured exactly as the Java benchmarks measure it.
 *
 *   sender (CPU s)                          receiver (CPU r)
 *   t0 = CLOCK_MONOTONIC; sent_at = t0
 *   write(ping, 1)              ───────▶    epoll_wait(ping) ; read(ping)
 *                                           t1 = CLOCK_MONOTONIC; one-way = t1 - sent_at
 *   epoll_wait(pong); read(pong) ◀───────   write(pong, 1)
 *   round trip = now - t0
 *
 * The receiver uses epoll_wait + read on a non-blocking eventfd, as the event loop does; the
 * sender waits for the answer with epoll_wait (1 s timeout) + read, as the Java sender does.
 * CLOCK_MONOTONIC is the clock behind System.nanoTime(), so the figures compare directly.
 *
 * Usage: eventfd_pingpong WARMUP ITERATIONS RECEIVER_CPU SENDER_CPU
 * Prints "key value" lines: latency.c.oneway.p50_us 12.1, ...; exits non-zero on any failure,
 * including an answer that does not arrive within 1 s.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "bench_stats.h"

static int ping_fd;
static int pong_fd;
static int64_t sent_at;
static long warmup;
static long total;
static int receiver_cpu;
static int64_t *oneway;
static int64_t *roundtrip;

static int watch(int fd) {
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) {
        die("epoll_create1");
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
        die("epoll_ctl");
    }
    return ep;
}

/* epoll_wait with a 1 s bound, then read the counter. */
static uint64_t await_read(int ep, int fd) {
    struct epoll_event ev;
    for (;;) {
        int n = epoll_wait(ep, &ev, 1, 1000);
        if (n > 0) {
            break;
        }
        if (n == 0) {
            fprintf(stderr, "eventfd_pingpong: no event within 1 s\n");
            exit(1);
        }
        if (errno != EINTR) {
            die("epoll_wait");
        }
    }
    uint64_t v;
    if (read(fd, &v, sizeof v) != sizeof v) {
        die("read");
    }
    return v;
}

static void *receiver(void *arg) {
    (void) arg;
    pin(receiver_cpu);
    int ep = watch(ping_fd);
    uint64_t one = 1;
    for (long i = 0; i < total; i++) {
        await_read(ep, ping_fd);
        int64_t t1 = now_ns();
        oneway[i] = t1 - __atomic_load_n(&sent_at, __ATOMIC_ACQUIRE);
        if (write(pong_fd, &one, sizeof one) != sizeof one) {
            die("write(pong)");
        }
    }
    close(ep);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s WARMUP ITERATIONS RECEIVER_CPU SENDER_CPU\n", argv[0]);
        return 2;
    }
    warmup = atol(argv[1]);
    long measured = atol(argv[2]);
    receiver_cpu = atoi(argv[3]);
    int sender_cpu = atoi(argv[4]);
    if (warmup < 0 || measured < 1 || measured > 100000000L) {
        fprintf(stderr, "eventfd_pingpong: bad counts\n");
        return 2;
    }
    total = warmup + measured;
    oneway = calloc(total, sizeof *oneway);
    roundtrip = calloc(total, sizeof *roundtrip);
    if (oneway == NULL || roundtrip == NULL) {
        die("calloc");
    }
    ping_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    pong_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (ping_fd < 0 || pong_fd < 0) {
        die("eventfd");
    }
    pin(sender_cpu);
    int ep = watch(pong_fd);
    pthread_t t;
    int r = pthread_create(&t, NULL, receiver, NULL);
    if (r != 0) {
        errno = r;
        die("pthread_create");
    }
    usleep(100000); /* let the receiver pin itself and block in epoll_wait */
    uint64_t one = 1;
    for (long i = 0; i < total; i++) {
        int64_t t0 = now_ns();
        __atomic_store_n(&sent_at, t0, __ATOMIC_RELEASE);
        if (write(ping_fd, &one, sizeof one) != sizeof one) {
            die("write(ping)");
        }
        await_read(ep, pong_fd);
        roundtrip[i] = now_ns() - t0;
    }
    pthread_join(t, NULL);
    report_us("latency.c.oneway", oneway + warmup, measured);
    report_us("latency.c.roundtrip", roundtrip + warmup, measured);
    return 0;
}
