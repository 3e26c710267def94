/*
 * C reference for io.aem.jmh.UserEventThroughput: how many eventfd signals per second one
 * writer thread delivers to one reader thread that waits with epoll_wait and reads the counter.
 *
 *   writer (CPU w): loop write(efd, 1)
 *   reader (CPU r): loop epoll_wait(efd) ; read(efd) -> one event carrying the summed count
 *
 * eventfd coalesces: one read returns every signal written since the previous read, so the
 * reader sees fewer events than the writer made signals. Both are reported:
 *   signals_per_s  signals delivered to the reader per second (the figure the target compares)
 *   writes_per_s   write(2) calls completed per second by the writer
 *   events_per_s   reads that returned a count (what a subscriber sees as onNext calls)
 *   signals_per_event
 * First, the single-thread cost of the same calls is measured on other eventfds that nobody polls,
 * while the reader already waits in epoll_wait (so the process is multi-threaded, as a JVM always
 * is: the kernel then takes a reference on the file at every call): write_alone_ns (one write of
 * 1) and read_empty_ns (a read answering EAGAIN).
 *
 * The run is a warm-up window, then WINDOWS measured windows of SECONDS each, as JMH iterations;
 * each figure is the mean over the windows, with the lowest and highest window beside it.
 *
 * Usage: eventfd_throughput WARMUP_S WINDOWS SECONDS READER_CPU WRITER_CPU
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

static int efd;
static int reader_cpu;
static int stop;
static uint64_t reads;   /* written by the reader only; read by the writer with relaxed loads */
static uint64_t signals;

static void die(const char *what) {
    fprintf(stderr, "eventfd_throughput: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    int r = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    if (r != 0) {
        errno = r;
        die("pthread_setaffinity_np");
    }
}

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
    uint64_t local_reads = 0, local_signals = 0;
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
        if (r == sizeof v) {
            local_reads++;
            local_signals += v;
            __atomic_store_n(&reads, local_reads, __ATOMIC_RELAXED);
            __atomic_store_n(&signals, local_signals, __ATOMIC_RELAXED);
        } else if (!(r < 0 && errno == EAGAIN)) {
            die("read");
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
    printf("throughput.c.write_alone_ns %.1f\n", (double) w / n);
    printf("throughput.c.read_empty_ns %.1f\n", (double) r / n);
}

struct window {
    double writes, signals, reads;
};

/* Writes for `seconds`, checking the clock every 256 writes; returns the rates of the window. */
static struct window run_window(double seconds) {
    static const uint64_t one = 1;
    uint64_t r0 = __atomic_load_n(&reads, __ATOMIC_RELAXED);
    uint64_t s0 = __atomic_load_n(&signals, __ATOMIC_RELAXED);
    int64_t start = now_ns();
    int64_t end = start + (int64_t) (seconds * 1e9);
    uint64_t writes = 0;
    int64_t t;
    do {
        for (int k = 0; k < 256; k++) {
            if (write(efd, &one, sizeof one) != sizeof one) {
                die("write");
            }
        }
        writes += 256;
    } while ((t = now_ns()) < end);
    uint64_t r1 = __atomic_load_n(&reads, __ATOMIC_RELAXED);
    uint64_t s1 = __atomic_load_n(&signals, __ATOMIC_RELAXED);
    double elapsed = (t - start) / 1e9;
    struct window w = {writes / elapsed, (s1 - s0) / elapsed, (r1 - r0) / elapsed};
    return w;
}

static void line(const char *key, double *v, int n) {
    double sum = 0, lo = v[0], hi = v[0];
    for (int i = 0; i < n; i++) {
        sum += v[i];
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    printf("throughput.c.%s %.0f\n", key, sum / n);
    printf("throughput.c.%s.min %.0f\n", key, lo);
    printf("throughput.c.%s.max %.0f\n", key, hi);
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s WARMUP_S WINDOWS SECONDS READER_CPU WRITER_CPU\n", argv[0]);
        return 2;
    }
    double warmup = atof(argv[1]);
    int windows = atoi(argv[2]);
    double seconds = atof(argv[3]);
    reader_cpu = atoi(argv[4]);
    int writer_cpu = atoi(argv[5]);
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
    alone();
    if (warmup > 0) {
        run_window(warmup);
    }
    double w[100], s[100], e[100], spe[100];
    for (int i = 0; i < windows; i++) {
        struct window x = run_window(seconds);
        w[i] = x.writes;
        s[i] = x.signals;
        e[i] = x.reads;
        spe[i] = x.reads > 0 ? x.signals / x.reads : 0;
        printf("throughput.c.window.%d signals_per_s=%.0f events_per_s=%.0f signals_per_event=%.2f\n", i + 1, s[i], e[i],
               spe[i]);
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    line("signals_per_s", s, windows);
    line("writes_per_s", w, windows);
    line("events_per_s", e, windows);
    double sum = 0;
    for (int i = 0; i < windows; i++) {
        sum += spe[i];
    }
    printf("throughput.c.signals_per_event %.2f\n", sum / windows);
    return 0;
}
