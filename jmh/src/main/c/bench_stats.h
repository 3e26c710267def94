/*
 * Percentiles for the C references: sort the samples and print them as
 * "key value" lines in microseconds, with the nearest-rank rule of io.aem.jmh.OneWayRecorder,
 * so that the C and Java figures are computed the same way.
 * Includes bench_common.h.
 */
#ifndef AEM_BENCH_STATS_H
#define AEM_BENCH_STATS_H

#include "bench_common.h"

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array, in microseconds. */
static double pct_us(const int64_t *v, long n, double q) {
    long rank = (long) (q * n + 0.999999999);
    if (rank < 1) {
        rank = 1;
    }
    if (rank > n) {
        rank = n;
    }
    return v[rank - 1] / 1000.0;
}

/* Sorts v[0..n) and prints PREFIX.n, .mean_us, .p50_us, .p90_us, .p99_us, .p999_us, .max_us. */
static void report_us(const char *prefix, int64_t *v, long n) {
    if (n <= 0) {
        printf("%s.n 0\n", prefix);
        return;
    }
    qsort(v, n, sizeof *v, cmp_i64);
    double sum = 0;
    for (long i = 0; i < n; i++) {
        sum += v[i];
    }
    printf("%s.n %ld\n", prefix, n);
    printf("%s.mean_us %.2f\n", prefix, sum / n / 1000.0);
    printf("%s.p50_us %.2f\n", prefix, pct_us(v, n, 0.50));
    printf("%s.p90_us %.2f\n", prefix, pct_us(v, n, 0.90));
    printf("%s.p99_us %.2f\n", prefix, pct_us(v, n, 0.99));
    printf("%s.p999_us %.2f\n", prefix, pct_us(v, n, 0.999));
    printf("%s.max_us %.2f\n", prefix, v[n - 1] / 1000.0);
}

#endif
