/*
 * What the C references share: fatal errors, the monotonic clock (the clock of
 * System.nanoTime()), and pinning the calling thread to one CPU. Includers define
 * _GNU_SOURCE before their first #include.
 */
#ifndef AEM_BENCH_COMMON_H
#define AEM_BENCH_COMMON_H

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void die(const char *what) {
    fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what, strerror(errno));
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

#endif
