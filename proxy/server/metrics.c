/* metrics.c: atomic counters and their Prometheus rendering; see metrics.h. */
#include "server/metrics.h"

#include <stdio.h>

#include "log/log.h"

static const int status_slots[METRIC_STATUS_SLOTS] = {
    200, 201, 204, 400, 401, 403, 404, 405, 408, 413, 429, 431, 500, 502, 503, 504,
};

static const char *const route_names[METRIC_ROUTE_COUNT] = {
    "/v1/models", "/v1/messages", "/v1/messages/count_tokens", "/v1/chat/completions",
    "/api/event_logging/batch", "/health", "/metrics", "/api/admin", "other",
};

void metrics_init(metrics *m)
{
    for (int r = 0; r < METRIC_ROUTE_COUNT; r++)
        for (int s = 0; s < METRIC_STATUS_SLOTS; s++)
            atomic_init(&m->requests[r][s], 0);
    atomic_init(&m->upstream_calls, 0);
    atomic_init(&m->upstream_errors, 0);
    atomic_init(&m->upstream_retries, 0);
    atomic_init(&m->upstream_failovers, 0);
    atomic_init(&m->upstream_aborted, 0);
    atomic_init(&m->streams_active, 0);
    atomic_init(&m->connections_active, 0);
}

static int status_slot(int status)
{
    for (int i = 0; i < METRIC_STATUS_SLOTS; i++)
        if (status_slots[i] == status)
            return i;
    return -1;
}

const char *metrics_route_name(int route)
{
    return route >= 0 && route < METRIC_ROUTE_COUNT ? route_names[route] : "other";
}

void metrics_count_request(metrics *m, int route, int status)
{
    if (route < 0 || route >= METRIC_ROUTE_COUNT)
        route = METRIC_ROUTE_OTHER;
    int slot = status_slot(status);
    if (slot < 0) /* rare statuses: counted as 500 would lie; fold into the nearest class */
        slot = status_slot(status >= 500 ? 500 : status >= 400 ? 400 : 200);
    atomic_fetch_add_explicit(&m->requests[route][slot], 1, memory_order_relaxed);
}

uint64_t metrics_requests(const metrics *m, int route, int status)
{
    int slot = status_slot(status);
    if (route < 0 || route >= METRIC_ROUTE_COUNT || slot < 0)
        return 0;
    return atomic_load_explicit(&m->requests[route][slot], memory_order_relaxed);
}

static int counter(kbuf *out, const char *name, const char *help, const char *type,
                   unsigned long long value)
{
    return kbuf_printf(out, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name, help, name, type,
                       name, value);
}

#define LOAD(x) ((unsigned long long)atomic_load_explicit(&(x), memory_order_relaxed))

int metrics_render_prometheus(const metrics *m, const metrics_extra *extra, kbuf *out)
{
    int rc = kbuf_append_str(out, "# HELP kiro_requests_total HTTP requests by route and status.\n"
                                  "# TYPE kiro_requests_total counter\n");
    for (int r = 0; r < METRIC_ROUTE_COUNT && rc == 0; r++) {
        for (int s = 0; s < METRIC_STATUS_SLOTS && rc == 0; s++) {
            unsigned long long v = LOAD(m->requests[r][s]);
            if (v)
                rc = kbuf_printf(out, "kiro_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                                 route_names[r], status_slots[s], v);
        }
    }
    rc |= counter(out, "kiro_upstream_calls_total", "Upstream generateAssistantResponse attempts.",
                  "counter", LOAD(m->upstream_calls));
    rc |= counter(out, "kiro_upstream_errors_total", "Upstream attempts that failed.", "counter",
                  LOAD(m->upstream_errors));
    rc |= counter(out, "kiro_upstream_retries_total", "Upstream retries after 408/429/5xx or network errors.",
                  "counter", LOAD(m->upstream_retries));
    rc |= counter(out, "kiro_upstream_failovers_total", "Switches to another credential after 401/403/quota.",
                  "counter", LOAD(m->upstream_failovers));
    rc |= counter(out, "kiro_upstream_aborted_total", "Upstream transfers aborted because the client went away.",
                  "counter", LOAD(m->upstream_aborted));
    rc |= counter(out, "kiro_streams_active", "Streaming responses in progress.", "gauge",
                  LOAD(m->streams_active));
    rc |= counter(out, "kiro_connections_active", "Client connections open.", "gauge",
                  LOAD(m->connections_active));
    if (extra) {
        rc |= counter(out, "kiro_token_refreshes_total", "Successful token refreshes.", "counter",
                      (unsigned long long)extra->token_refreshes);
        rc |= counter(out, "kiro_token_refresh_failures_total", "Failed token refreshes.", "counter",
                      (unsigned long long)extra->token_refresh_failures);
        rc |= counter(out, "kiro_credentials", "Credentials loaded.", "gauge",
                      (unsigned long long)extra->credentials_total);
        rc |= counter(out, "kiro_credentials_usable", "Credentials usable now.", "gauge",
                      (unsigned long long)extra->credentials_usable);
        rc |= counter(out, "kiro_models", "Models in the catalogue.", "gauge",
                      (unsigned long long)extra->models);
        rc |= kbuf_printf(out, "# HELP kiro_uptime_seconds Seconds since start.\n"
                               "# TYPE kiro_uptime_seconds gauge\nkiro_uptime_seconds %.3f\n",
                          extra->uptime_seconds);
    }
    log_stats ls;
    log_get_stats(&ls);
    rc |= kbuf_printf(out, "# HELP kiro_log_info Logger implementation.\n# TYPE kiro_log_info gauge\n"
                           "kiro_log_info{implementation=\"%s\"} 1\n", log_implementation());
    rc |= counter(out, "kiro_log_lines_logged_total", "Log lines produced.", "counter", ls.lines_logged);
    rc |= counter(out, "kiro_log_lines_written_total", "Log lines written to the sink.", "counter", ls.lines_written);
    rc |= counter(out, "kiro_log_lines_dropped_total", "Log lines dropped (queue full, sink gone, exit deadline).",
                  "counter", ls.lines_dropped);
    rc |= counter(out, "kiro_log_lines_truncated_total", "Log lines cut to the line limit.", "counter",
                  ls.lines_truncated);
    rc |= counter(out, "kiro_log_bytes_logged_total", "Log bytes produced.", "counter", ls.bytes_logged);
    rc |= counter(out, "kiro_log_bytes_written_total", "Log bytes written to the sink.", "counter", ls.bytes_written);
    rc |= counter(out, "kiro_log_bytes_dropped_total", "Log bytes dropped.", "counter", ls.bytes_dropped);
    rc |= counter(out, "kiro_log_lines_queued", "Log lines waiting in the queue.", "gauge", ls.lines_queued);
    rc |= counter(out, "kiro_log_bytes_queued", "Log bytes waiting in the queue.", "gauge", ls.bytes_queued);
    rc |= counter(out, "kiro_log_queue_budget_bytes", "Byte budget of the log queue.", "gauge",
                  (unsigned long long)ls.queue_budget_bytes);
    rc |= counter(out, "kiro_log_gap_lines_total", "'dropped N lines' markers written.", "counter", ls.gap_lines);
    rc |= counter(out, "kiro_log_write_errors_total", "Failed writes to the log sink.", "counter", ls.write_errors);
    return rc ? -1 : 0;
}
