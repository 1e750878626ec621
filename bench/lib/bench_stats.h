/* bench_stats.h: sample sets and the order statistics the benches report (nearest-rank
 * percentiles, medians). Samples are doubles in whatever unit the caller chose. */
#ifndef KIRO_BENCH_STATS_H
#define KIRO_BENCH_STATS_H

#include <stddef.h>

typedef struct bench_samples {
    double *values;
    size_t count;
    size_t capacity;
    int sorted;
} bench_samples;

/* Returns 0, or -1 when memory ran out (the sample is lost). */
int bench_samples_add(bench_samples *s, double value);
void bench_samples_free(bench_samples *s);

/* Nearest-rank percentile, p in [0, 100]; sorts the set on first use. 0 for an empty set. */
double bench_percentile(bench_samples *s, double p);
double bench_max(bench_samples *s);
double bench_mean(const bench_samples *s);

/* Median of n values (reorders them). */
double bench_median(double *values, size_t n);

/* a / b, or 0 when b is 0. */
double bench_ratio(double a, double b);

#endif
