/*
 * What a permission decision adds to open(): this program times open(FILE, O_RDONLY) and the
 * close() after it, ITERATIONS times after WARMUP untimed ones, pinned to CPU. It is run with
 * no fanotify mark, with the C permission listener (fanotify_allow.c) and with the library's
 * permission source (io.aem.jmh.PermissionLatency); the differences are what the listener adds.
 *
 *   t0 = CLOCK_MONOTONIC; fd = open(FILE, O_RDONLY); t1 = CLOCK_MONOTONIC; close(fd); t2 = ...
 *   open = t1 - t0   (with a FAN_OPEN_PERM mark: the event is queued, the listener wakes,
 *                     reads it, answers FAN_ALLOW, and only then does open() return)
 *   open+close = t2 - t0
 *
 * The opens are one after another: each waits for its answer, so one request is in flight.
 *
 * Usage: open_latency FILE WARMUP ITERATIONS CPU PREFIX
 * Prints "key value" lines: PREFIX.open.p50_us ..., PREFIX.open_close.p50_us ...; exits
 * non-zero if an open() fails (for example EPERM: the listener denied it).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

#include "bench_stats.h"

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s FILE WARMUP ITERATIONS CPU PREFIX\n", argv[0]);
        return 2;
    }
    const char *file = argv[1];
    long warmup = atol(argv[2]);
    long measured = atol(argv[3]);
    int cpu = atoi(argv[4]);
    const char *prefix = argv[5];
    if (warmup < 0 || measured < 1 || measured > 10000000L) {
        fprintf(stderr, "open_latency: bad counts\n");
        return 2;
    }
    long total = warmup + measured;
    int64_t *open_ns = calloc(total, sizeof *open_ns);
    int64_t *both_ns = calloc(total, sizeof *both_ns);
    if (open_ns == NULL || both_ns == NULL) {
        die("calloc");
    }
    pin(cpu);
    int64_t start = now_ns();
    for (long i = 0; i < total; i++) {
        int64_t t0 = now_ns();
        int fd = open(file, O_RDONLY | O_CLOEXEC);
        int64_t t1 = now_ns();
        if (fd < 0) {
            die(file);
        }
        close(fd);
        int64_t t2 = now_ns();
        open_ns[i] = t1 - t0;
        both_ns[i] = t2 - t0;
    }
    double seconds = (now_ns() - start) / 1e9;
    char key[256];
    snprintf(key, sizeof key, "%s.open", prefix);
    report_us(key, open_ns + warmup, measured);
    snprintf(key, sizeof key, "%s.open_close", prefix);
    report_us(key, both_ns + warmup, measured);
    printf("%s.opens_per_s %.0f\n", prefix, total / seconds);
    return 0;
}
