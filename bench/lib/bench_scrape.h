/* bench_scrape.h: reading a running server from outside: one counter from its Prometheus
 * /metrics, its resident set size (Linux: /proc/PID/status VmRSS; macOS: ps -o rss) and its
 * number of threads. */
#ifndef KIRO_BENCH_SCRAPE_H
#define KIRO_BENCH_SCRAPE_H

#include <sys/types.h>

/* Value of the sample named `name` (no labels) at base_url/metrics; -1 when unavailable. */
double bench_metric(const char *base_url, const char *name);

/* Resident set size of pid in bytes, or -1. */
long bench_resident_bytes(pid_t pid);

/* Threads of pid (Linux: /proc/PID/status Threads; macOS: ps -M), or -1. */
long bench_thread_count(pid_t pid);

/* How bench_resident_bytes() measures here, for reports. */
const char *bench_resident_method(void);

#endif
