/* bench_stats.c: sample sets, percentiles and medians; see bench_stats.h. */
#include "bench_stats.h"

#include <math.h>
#include <stdlib.h>

int bench_samples_add(bench_samples *s, double value)
{
    if (s->count == s->capacity) {
        size_t capacity = s->capacity ? s->capacity * 2 : 1024;
        double *grown = realloc(s->values, capacity * sizeof *grown);
        if (!grown)
            return -1;
        s->values = grown;
        s->capacity = capacity;
    }
    s->values[s->count++] = value;
    s->sorted = 0;
    return 0;
}

void bench_samples_free(bench_samples *s)
{
    free(s->values);
    s->values = NULL;
    s->count = s->capacity = 0;
    s->sorted = 0;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void ensure_sorted(bench_samples *s)
{
    if (!s->sorted && s->count > 1)
        qsort(s->values, s->count, sizeof *s->values, compare_doubles);
    s->sorted = 1;
}

double bench_percentile(bench_samples *s, double p)
{
    if (s->count == 0)
        return 0;
    ensure_sorted(s);
    /* Nearest rank: the smallest value with at least p% of the samples at or below it. */
    double rank = ceil(p / 100.0 * (double)s->count);
    size_t index = rank < 1 ? 0 : (size_t)rank - 1;
    if (index >= s->count)
        index = s->count - 1;
    return s->values[index];
}

double bench_max(bench_samples *s)
{
    return bench_percentile(s, 100);
}

double bench_mean(const bench_samples *s)
{
    if (s->count == 0)
        return 0;
    double sum = 0;
    for (size_t i = 0; i < s->count; i++)
        sum += s->values[i];
    return sum / (double)s->count;
}

double bench_median(double *values, size_t n)
{
    if (n == 0)
        return 0;
    qsort(values, n, sizeof *values, compare_doubles);
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double bench_ratio(double a, double b)
{
    return b != 0 ? a / b : 0;
}
