/* fx_metrics.h: the counters fault cases assert on: the proxy's /metrics (logger, upstream,
 * streams, token refresh) and fake-kiro's /__fake/stats. */
#ifndef FX_METRICS_H
#define FX_METRICS_H

#include "fx_stack.h"

typedef struct fx_metrics {
    long long lines_logged, lines_written, lines_dropped, lines_queued;
    long long bytes_logged, bytes_written, bytes_dropped, bytes_queued;
    long long gap_lines, write_errors;
    long long upstream_calls, upstream_errors, upstream_retries, upstream_failovers,
        upstream_aborted;
    long long streams_active, connections_active;
    long long token_refreshes, token_refresh_failures, credentials_usable;
} fx_metrics;

/* GET /metrics within timeout_ms and parse it. 0, or -1 (no answer, or a counter missing). */
int fx_metrics_get(fx_stack *s, int timeout_ms, fx_metrics *m);
/* Parses a /metrics body. 0, or -1 when a counter is missing. */
int fx_metrics_parse(const char *text, fx_metrics *m);

typedef struct fx_fake_stats {
    long long generate, list_models, refresh_token, rejected, faults_injected;
    long long streams_completed, streams_aborted, streams_cut, streams_active, hangs_active;
} fx_fake_stats;

/* GET /__fake/stats. 0 or -1. */
int fx_fake_stats_get(fx_stack *s, fx_fake_stats *st);

#endif
