/*
 * C references for io.aem.jmh.UserEventThroughput: how many eventfd signals per second one
 * writer thread delivers to one reader thread that waits with epoll_wait, in two modes.
 *
 * MODE write (the reference the throughput target names): one system call per signal.
 *   writer (CPU w): loop write(efd, 1)
 *   reader (CPU r): loop epoll_wait(efd) ; read(efd) -> one event carrying the summed count
 *
 * MODE doorbell (what io.aem.linux.event.UserEvents does): the count lives in memory, the eventfd
 * only wakes the reader.
 *   writer (CPU w): loop { if (atomic_fetch_add(&counter.v, 1) == 0) write(efd, 1); }
 *   reader (CPU r): loop epoll_wait(efd) ; read(efd) ; n = atomic_exchange(&counter.v, 0)
 *                   -> one event carrying n when n > 0
 *
 * eventfd (and the counter) coalesce: one read (one exchange) returns every signal made since the
 * previous one, so the reader sees fewer events than the writer made signals. Reported, with the
 * key prefix throughput.c. (write) or throughput.cdoorbell. (doorbell):
 *   signals_per_s  signals delivered to the reader per second (the figure the target compares)
 *   writes_per_s   signals completed per second by the writer
 *   events_per_s   events the reader received (what a subscriber sees as onNext calls)
 *   signals_per_event
 *   rings_per_s    (doorbell) write(2) calls the writer made per second
 *   wakeups_per_s  (doorbell) reads of the eventfd per second (epoll_wait returns that read it)
 * First, the single-thread cost of the same calls is measured on memory and eventfds that nobody
 * polls, while the reader already waits in epoll_wait (so the process is multi-threaded, as a JVM
 * always is: the kernel then takes a reference on the file at every call). write mode:
 * write_alone_ns (one write of 1) and read_empty_ns (a read answering EAGAIN); doorbell mode:
 * fetch_add_alone_ns (atomic_fetch_add on a counter that is never zero, so no write follows).
 *
 * The run is a warm-up window, then WINDOWS measured windows of SECONDS each, as JMH iterations;
 * each figure is the mean over the windows, with the lowest and highest window beside it.
 *
 * Usage: eventfd_throughput WARMUP_S WINDOWS SECONDS READER_CPU WRITER_CPU [write|doorbell]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "bench_common.h"

static int efd;
static int reader_cpu;
static int doorbell;     /* the mode: 0 write, 1 doorbell */
static const char *prefix = "throughput.c";
static int stop;
/*
 * Written by the reader only, at every event; read by the writer with relaxed loads at the ends
 * of a window. On a cache line of their own (the struct's alignment makes its size 64), so that
 * the writer's loop does not share a line with them.
 */
static struct {
    _Alignas(64) uint64_t reads;  /* events: reads (doorbell: exchanges) that returned a count */
    uint64_t signals;
    uint64_t wakeups;             /* doorbell: reads of the eventfd */
} stats;
/* The doorbell mode's count, shared by the writer and the reader and by nothing else. */
static struct {
    _Alignas(64) _Atomic uint64_t v;
} counter;

static void *reader(void *arg) {
    (void) arg;
    pin(reader_cpu);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) {
        die("epoll_create1");
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) < 0) {
        die("epoll_ctl");
    }
    uint64_t local_reads = 0, local_signals = 0, local_wakeups = 0;
    for (;;) {
        int n = epoll_wait(ep, &ev, 1, 100);
        if (n < 0 && errno != EINTR) {
            die("epoll_wait");
        }
        if (n == 0 && __atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
            break;
        }
        if (n <= 0) {
            continue;
        }
        uint64_t v;
        ssize_t r = read(efd, &v, sizeof v);
        if (r != sizeof v && !(r < 0 && errno == EAGAIN)) {
            die("read");
        }
        if (doorbell) {
            /* The doorbell is empty now; a signal from here on finds the counter either not yet
             * taken (and is taken below) or at zero (and rings again). */
            local_wakeups++;
            __atomic_store_n(&stats.wakeups, local_wakeups, __ATOMIC_RELAXED);
            v = atomic_exchange(&counter.v, 0);
            r = v > 0 ? (ssize_t) sizeof v : -1;
        }
        if (r == sizeof v) {
            local_reads++;
            local_signals += v;
            __atomic_store_n(&stats.reads, local_reads, __ATOMIC_RELAXED);
            __atomic_store_n(&stats.signals, local_signals, __ATOMIC_RELAXED);
        }
    }
    close(ep);
    return NULL;
}

/* ns per call of write(1) on an eventfd nobody polls, and of read on an empty one (EAGAIN). */
static void alone(void) {
    const long n = 1000000;
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    int empty = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0 || empty < 0) {
        die("eventfd");
    }
    uint64_t one = 1, v;
    int64_t t = now_ns();
    for (long i = 0; i < n; i++) {
        if (write(fd, &one, sizeof one) != sizeof one) {
            die("write");
        }
    }
    int64_t w = now_ns() - t;
    t = now_ns();
    for (long i = 0; i < n; i++) {
        if (read(empty, &v, sizeof v) != -1) {
            die("read of an empty eventfd returned data");
        }
    }
    int64_t r = now_ns() - t;
    close(fd);
    close(empty);
    printf("%s.write_alone_ns %.1f\n", prefix, (double) w / n);
    printf("%s.read_empty_ns %.1f\n", prefix, (double) r / n);
}

/* ns per atomic_fetch_add on a counter nobody else touches and that is never zero before the add:
 * the doorbell writer's path when no write(2) follows. */
static void fetch_add_alone(void) {
    const long n = 20000000;
    static _Alignas(64) _Atomic uint64_t c = 1;
    uint64_t zeros = 0;
    int64_t t = now_ns();
    for (long i = 0; i < n; i++) {
        zeros += atomic_fetch_add(&c, 1) == 0;
    }
    int64_t d = now_ns() - t;
    if (zeros != 0) {
        die("fetch_add_alone");
    }
    printf("%s.fetch_add_alone_ns %.2f\n", prefix, (double) d / n);
}

struct window {
    double writes, signals, reads, rings, wakeups;
};

/* Signals for `seconds`, checking the clock every 256 signals; returns the rates of the window. */
static struct window run_window(double seconds) {
    static const uint64_t one = 1;
    uint64_t r0 = __atomic_load_n(&stats.reads, __ATOMIC_RELAXED);
    uint64_t s0 = __atomic_load_n(&stats.signals, __ATOMIC_RELAXED);
    uint64_t u0 = __atomic_load_n(&stats.wakeups, __ATOMIC_RELAXED);
    int64_t start = now_ns();
    int64_t end = start + (int64_t) (seconds * 1e9);
    uint64_t writes = 0, rings = 0;
    int64_t t;
    do {
        if (doorbell) {
            for (int k = 0; k < 256; k++) {
                if (atomic_fetch_add(&counter.v, 1) == 0) {
                    rings++;
                    if (write(efd, &one, sizeof one) != sizeof one) {
                        die("write");
                    }
                }
            }
        } else {
            for (int k = 0; k < 256; k++) {
                if (write(efd, &one, sizeof one) != sizeof one) {
                    die("write");
                }
            }
            rings += 256;
        }
        writes += 256;
    } while ((t = now_ns()) < end);
    uint64_t r1 = __atomic_load_n(&stats.reads, __ATOMIC_RELAXED);
    uint64_t s1 = __atomic_load_n(&stats.signals, __ATOMIC_RELAXED);
    uint64_t u1 = __atomic_load_n(&stats.wakeups, __ATOMIC_RELAXED);
    double elapsed = (t - start) / 1e9;
    struct window w = {writes / elapsed, (s1 - s0) / elapsed, (r1 - r0) / elapsed, rings / elapsed,
                       (u1 - u0) / elapsed};
    return w;
}

static void line(const char *key, double *v, int n) {
    double sum = 0, lo = v[0], hi = v[0];
    for (int i = 0; i < n; i++) {
        sum += v[i];
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    printf("%s.%s %.0f\n", prefix, key, sum / n);
    printf("%s.%s.min %.0f\n", prefix, key, lo);
    printf("%s.%s.max %.0f\n", prefix, key, hi);
}

int main(int argc, char **argv) {
    if (argc != 6 && argc != 7) {
        fprintf(stderr, "usage: %s WARMUP_S WINDOWS SECONDS READER_CPU WRITER_CPU [write|doorbell]\n", argv[0]);
        return 2;
    }
    double warmup = atof(argv[1]);
    int windows = atoi(argv[2]);
    double seconds = atof(argv[3]);
    reader_cpu = atoi(argv[4]);
    int writer_cpu = atoi(argv[5]);
    if (argc == 7 && strcmp(argv[6], "doorbell") == 0) {
        doorbell = 1;
        prefix = "throughput.cdoorbell";
    } else if (argc == 7 && strcmp(argv[6], "write") != 0) {
        fprintf(stderr, "eventfd_throughput: MODE is write or doorbell, was '%s'\n", argv[6]);
        return 2;
    }
    if (windows < 1 || windows > 100 || seconds <= 0 || seconds > 60 || warmup < 0 || warmup > 60) {
        fprintf(stderr, "eventfd_throughput: bad arguments\n");
        return 2;
    }
    efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (efd < 0) {
        die("eventfd");
    }
    pin(writer_cpu);
    pthread_t t;
    int r = pthread_create(&t, NULL, reader, NULL);
    if (r != 0) {
        errno = r;
        die("pthread_create");
    }
    usleep(100000);
    if (doorbell) {
        fetch_add_alone();
    } else {
        alone();
    }
    if (warmup > 0) {
        run_window(warmup);
    }
    double w[100], s[100], e[100], spe[100], rg[100], wk[100];
    for (int i = 0; i < windows; i++) {
        struct window x = run_window(seconds);
        w[i] = x.writes;
        s[i] = x.signals;
        e[i] = x.reads;
        rg[i] = x.rings;
        wk[i] = x.wakeups;
        spe[i] = x.reads > 0 ? x.signals / x.reads : 0;
        printf("%s.window.%d signals_per_s=%.0f events_per_s=%.0f signals_per_event=%.2f rings_per_s=%.0f\n", prefix,
               i + 1, s[i], e[i], spe[i], rg[i]);
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    line("signals_per_s", s, windows);
    line("writes_per_s", w, windows);
    line("events_per_s", e, windows);
    if (doorbell) {
        line("rings_per_s", rg, windows);
        line("wakeups_per_s", wk, windows);
    }
    double sum = 0;
    for (int i = 0; i < windows; i++) {
        sum += spe[i];
    }
    printf("%s.signals_per_event %.2f\n", prefix, sum / windows);
    return 0;
}
