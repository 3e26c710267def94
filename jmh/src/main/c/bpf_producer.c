/*
 * The event producer of the eBPF ring-buffer benchmarks (run-bpf-benchmarks.sh): makes
 * aem_attrs.bpf.o records (fchmod calls) when its consumer asks, so that the consumer can load
 * the program with this process's tgid as its filter first. Commands, one byte each on stdin:
 *
 *   'p'  probe: one fchmod(fd, 0600), for the consumer to see that its programs are attached
 *   's'  step: sleep GAP_US, then one fchmod(fd, 0644) (a latency sample; the pause lets the
 *        consumer get back to its wait after answering)
 *   'b'  burst: THREADS threads, all pinned to CPU, call fchmod(own fd, 0644) until COUNT calls
 *        in total or SECONDS have passed; then prints "produced N", "seconds S" and "per_second R"
 *        on stdout
 *   EOF  exit 0
 *
 * Every call counts, whatever its result: the programs report each chmod-family call on return.
 * The consumers tell probes from samples by the mode (0600 / 0644). The whole process ends
 * itself after 600 s (alarm).
 *
 * Usage: bpf_producer CPU DIR THREADS COUNT SECONDS GAP_US   (files DIR/bpf-producer-<pid>-<k>)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_common.h"

#define MAX_THREADS 64

static int cpu;
static long count;
static double seconds;
static atomic_long claimed;
static int64_t deadline_ns;

struct worker {
    pthread_t thread;
    int fd;
    long made;
};

static void *burst(void *arg) {
    struct worker *w = arg;
    pin(cpu);
    for (;;) {
        /* Check the clock every 256 calls: one call costs microseconds. */
        if ((w->made & 255) == 0 && now_ns() >= deadline_ns) {
            break;
        }
        if (atomic_fetch_add_explicit(&claimed, 1, memory_order_relaxed) >= count) {
            break;
        }
        fchmod(w->fd, 0644);
        w->made++;
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: bpf_producer CPU DIR THREADS COUNT SECONDS GAP_US\n");
        return 2;
    }
    cpu = atoi(argv[1]);
    const char *dir = argv[2];
    int threads = atoi(argv[3]);
    count = atol(argv[4]);
    seconds = atof(argv[5]);
    long gap_us = atol(argv[6]);
    if (threads < 1 || threads > MAX_THREADS || count < 1 || count > 1000000000L || seconds <= 0 || seconds > 300 ||
        gap_us < 0 || gap_us > 1000000) {
        fprintf(stderr, "bpf_producer: bad arguments\n");
        return 2;
    }
    alarm(600);
    if (cpu >= 0) {
        pin(cpu);
    }
    struct worker workers[MAX_THREADS];
    char path[4096];
    for (int k = 0; k < threads; k++) {
        snprintf(path, sizeof path, "%s/bpf-producer-%d-%d", dir, (int) getpid(), k);
        workers[k].fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (workers[k].fd < 0) {
            die("open");
        }
        unlink(path);
        workers[k].made = 0;
    }
    struct timespec gap = {.tv_sec = gap_us / 1000000, .tv_nsec = (gap_us % 1000000) * 1000};
    char c;
    ssize_t n;
    while ((n = read(0, &c, 1)) == 1 || (n < 0 && errno == EINTR)) {
        if (n < 0) {
            continue;
        }
        if (c == 'p') {
            fchmod(workers[0].fd, 0600);
        } else if (c == 's') {
            if (gap_us > 0) {
                clock_nanosleep(CLOCK_MONOTONIC, 0, &gap, NULL);
            }
            fchmod(workers[0].fd, 0644);
        } else if (c == 'b') {
            int64_t start = now_ns();
            deadline_ns = start + (int64_t) (seconds * 1e9);
            atomic_store(&claimed, 0);
            for (int k = 0; k < threads; k++) {
                workers[k].made = 0;
                int r = pthread_create(&workers[k].thread, NULL, burst, &workers[k]);
                if (r != 0) {
                    errno = r;
                    die("pthread_create");
                }
            }
            long produced = 0;
            for (int k = 0; k < threads; k++) {
                pthread_join(workers[k].thread, NULL);
                produced += workers[k].made;
            }
            double s = (now_ns() - start) / 1e9;
            printf("produced %ld\nseconds %.6f\nper_second %.0f\n", produced, s, produced / s);
            fflush(stdout);
        }
    }
    return 0;
}
