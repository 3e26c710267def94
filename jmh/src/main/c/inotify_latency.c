/*
 * C reference for io.aem.jmh.FileEventLatency: close() of a written file → its IN_CLOSE_WRITE
 * event in the hands of a reader thread on another CPU, measured as the Java benchmarks
 * measure it.
 *
 *   writer (CPU s)                                  reader (CPU r)
 *   fd = open(DIR/f<i%8>, O_WRONLY)
 *   wrote_at = CLOCK_MONOTONIC
 *   write(fd, "x", 1)
 *   closed_at = CLOCK_MONOTONIC
 *   close(fd)                         ───────▶     epoll_wait(inotify fd) ; read(inotify fd)
 *                                                  t1 = CLOCK_MONOTONIC
 *                                                  close → event = t1 - closed_at
 *                                                  write → event = t1 - wrote_at
 *   epoll_wait(pong); read(pong)      ◀───────     check: one record, IN_CLOSE_WRITE, name f<i%8>
 *                                                  write(pong eventfd, 1)
 *
 * The watch is inotify_add_watch(DIR, IN_CLOSE_WRITE) on a non-blocking inotify fd; the reader
 * waits with epoll_wait, as the event loop does. Only one event is in flight (ping-pong), and
 * the reader checks that the record it read is the close of the file the writer just closed
 * (the eight names rotate, so a stale or duplicated event would carry the wrong name); any
 * other record counts as a mismatch and makes the program fail. The eight files are created
 * before the watch is added, so the writer's open() creates nothing.
 *
 * Usage: inotify_latency WARMUP ITERATIONS RECEIVER_CPU SENDER_CPU DIR
 * Prints "key value" lines: latency.c.close.p50_us ..., latency.c.write.p50_us ...;
 * exits non-zero on any failure, including an event that does not arrive within 1 s.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "bench_stats.h"

#define FILES 8

static int ino_fd;
static int pong_fd;
static int64_t wrote_at;
static int64_t closed_at;
static int expected;
static long total;
static int receiver_cpu;
static int64_t *close_to_event;
static int64_t *write_to_event;
static long mismatches;
static char names[FILES][8];

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

/* epoll_wait with a 1 s bound, then read(2) into buf; returns the bytes read. */
static ssize_t await_read(int ep, int fd, void *buf, size_t size, const char *what) {
    struct epoll_event ev;
    for (;;) {
        int n = epoll_wait(ep, &ev, 1, 1000);
        if (n == 0) {
            fprintf(stderr, "inotify_latency: no %s within 1 s\n", what);
            exit(1);
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            die("epoll_wait");
        }
        ssize_t r = read(fd, buf, size);
        if (r > 0) {
            return r;
        }
        if (r < 0 && errno != EAGAIN && errno != EINTR) {
            die("read");
        }
    }
}

static void *reader(void *arg) {
    (void) arg;
    pin(receiver_cpu);
    int ep = watch(ino_fd);
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    uint64_t one = 1;
    for (long i = 0; i < total; i++) {
        ssize_t n = await_read(ep, ino_fd, buf, sizeof buf, "IN_CLOSE_WRITE");
        int64_t t1 = now_ns();
        close_to_event[i] = t1 - __atomic_load_n(&closed_at, __ATOMIC_ACQUIRE);
        write_to_event[i] = t1 - __atomic_load_n(&wrote_at, __ATOMIC_ACQUIRE);
        const struct inotify_event *e = (const struct inotify_event *) buf;
        int want = __atomic_load_n(&expected, __ATOMIC_ACQUIRE);
        if ((size_t) n != sizeof *e + e->len || e->mask != IN_CLOSE_WRITE || e->len == 0
            || strcmp(e->name, names[want]) != 0) {
            mismatches++;
        }
        if (write(pong_fd, &one, sizeof one) != sizeof one) {
            die("write(pong)");
        }
    }
    close(ep);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s WARMUP ITERATIONS RECEIVER_CPU SENDER_CPU DIR\n", argv[0]);
        return 2;
    }
    long warmup = atol(argv[1]);
    long measured = atol(argv[2]);
    receiver_cpu = atoi(argv[3]);
    int sender_cpu = atoi(argv[4]);
    const char *dir = argv[5];
    if (warmup < 0 || measured < 1 || measured > 10000000L) {
        fprintf(stderr, "inotify_latency: bad counts\n");
        return 2;
    }
    total = warmup + measured;
    close_to_event = calloc(total, sizeof *close_to_event);
    write_to_event = calloc(total, sizeof *write_to_event);
    if (close_to_event == NULL || write_to_event == NULL) {
        die("calloc");
    }
    char paths[FILES][PATH_MAX];
    for (int k = 0; k < FILES; k++) {
        snprintf(names[k], sizeof names[k], "f%d", k);
        if (snprintf(paths[k], sizeof paths[k], "%s/%s", dir, names[k]) >= PATH_MAX) {
            fprintf(stderr, "inotify_latency: path too long\n");
            return 2;
        }
        int fd = open(paths[k], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) {
            die(paths[k]);
        }
        close(fd);
    }
    ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (ino_fd < 0) {
        die("inotify_init1");
    }
    if (inotify_add_watch(ino_fd, dir, IN_CLOSE_WRITE) < 0) {
        die("inotify_add_watch");
    }
    pong_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (pong_fd < 0) {
        die("eventfd");
    }
    pin(sender_cpu);
    int ep = watch(pong_fd);
    pthread_t t;
    int r = pthread_create(&t, NULL, reader, NULL);
    if (r != 0) {
        errno = r;
        die("pthread_create");
    }
    usleep(100000); /* let the reader pin itself and block in epoll_wait */
    for (long i = 0; i < total; i++) {
        int k = (int) (i % FILES);
        __atomic_store_n(&expected, k, __ATOMIC_RELEASE);
        int fd = open(paths[k], O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
            die(paths[k]);
        }
        __atomic_store_n(&wrote_at, now_ns(), __ATOMIC_RELEASE);
        if (write(fd, "x", 1) != 1) {
            die("write(file)");
        }
        __atomic_store_n(&closed_at, now_ns(), __ATOMIC_RELEASE);
        if (close(fd) < 0) {
            die("close(file)");
        }
        uint64_t v;
        await_read(ep, pong_fd, &v, sizeof v, "answer");
    }
    pthread_join(t, NULL);
    printf("latency.c.mismatched_events %ld\n", mismatches);
    report_us("latency.c.close", close_to_event + warmup, measured);
    report_us("latency.c.write", write_to_event + warmup, measured);
    for (int k = 0; k < FILES; k++) {
        unlink(paths[k]);
    }
    return mismatches == 0 ? 0 : 1;
}
