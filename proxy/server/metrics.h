/* metrics.h: process-wide counters for /metrics (Prometheus text) and /health.
 *
 * Request threads only increment atomics here: no lock and no I/O on a request path. The
 * logger's own counters are read from log_get_stats() when rendering, never copied. */
#ifndef KIRO_METRICS_H
#define KIRO_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

#include "util/buf.h"

/* Routes known to the metrics table; index into request counters. */
enum {
    METRIC_ROUTE_MODELS,
    METRIC_ROUTE_MESSAGES,
    METRIC_ROUTE_COUNT_TOKENS,
    METRIC_ROUTE_CHAT_COMPLETIONS,
    METRIC_ROUTE_EVENT_LOGGING,
    METRIC_ROUTE_HEALTH,
    METRIC_ROUTE_METRICS,
    METRIC_ROUTE_ADMIN,
    METRIC_ROUTE_OTHER,
    METRIC_ROUTE_COUNT
};

/* Status codes tracked per route; anything else is counted under "other". */
#define METRIC_STATUS_SLOTS 16

typedef struct metrics {
    atomic_uint_fast64_t requests[METRIC_ROUTE_COUNT][METRIC_STATUS_SLOTS];
    atomic_uint_fast64_t upstream_calls;
    atomic_uint_fast64_t upstream_errors;
    atomic_uint_fast64_t upstream_retries;
    atomic_uint_fast64_t upstream_failovers;
    atomic_uint_fast64_t upstream_aborted;      /* client went away: transfer aborted */
    atomic_int_fast64_t streams_active;
    atomic_int_fast64_t connections_active;
} metrics;

void metrics_init(metrics *m);
void metrics_count_request(metrics *m, int route, int status);
uint64_t metrics_requests(const metrics *m, int route, int status);
const char *metrics_route_name(int route);

/* Extra gauges the caller knows (token refreshes, credentials, uptime). */
typedef struct metrics_extra {
    long token_refreshes;
    long token_refresh_failures;
    long credentials_total;
    long credentials_usable;
    long models;
    double uptime_seconds;
} metrics_extra;

/* Appends the Prometheus exposition text (metrics, extra, logger counters) to out. */
int metrics_render_prometheus(const metrics *m, const metrics_extra *extra, kbuf *out);

#endif
