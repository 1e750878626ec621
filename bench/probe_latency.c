/* probe_latency.c: bench-probe, figure 1: does a stalled log pipe slow the async proxy down?
 *
 * Two kiro-proxy-async processes at --log-level debug in front of one fake-kiro: one with
 * stdout+stderr on a pipe this program never reads (made full first, checked with FIONREAD
 * and poll() on the write end), one on a pipe a thread of this program drains. Probes
 * (GET /v1/models on a fresh connection, as a health checker does; every request goes through
 * the logger's access line) alternate between the two, the order flipping each time, so both
 * see the same machine. Reported: p50/p99/max of each, the p99 ratio stalled/draining
 * (target <= 1.5), the slowest stalled probe (target <= 100 ms, no failure), and the pipe
 * still full after the probes.
 *
 *   bench-probe [--requests N]      (default 2000 per proxy, at least 2000 for the target) */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_client.h"
#include "bench_fill.h"
#include "bench_load.h"
#include "bench_rows.h"
#include "bench_scrape.h"
#include "bench_stack.h"
#include "bench_stats.h"
#include "bench_watchdog.h"

enum { PROBE_TIMEOUT_MS = 2000, WATCHDOG_S = 150, MIN_REQUESTS = 2000 };

#define SECTION "1 probe latency"
#define TARGET_RATIO 1.5
#define TARGET_MAX_MS 100.0

typedef struct side {
    const char *name;
    bench_proxy proxy;
    bench_client client;
    char url[128];
    bench_samples latency_us;
    long failures;
} side;

static void report_side(side *s, const char *id)
{
    char figure[128];
    snprintf(figure, sizeof figure, "GET /v1/models, %s: p50 / p99 / max", s->name);
    bench_row(id, SECTION, figure, BENCH_INFO, "(reference)",
              "%.2f / %.2f / %.2f ms over %zu requests, %ld failed",
              bench_percentile(&s->latency_us, 50) / 1000,
              bench_percentile(&s->latency_us, 99) / 1000, bench_max(&s->latency_us) / 1000,
              s->latency_us.count, s->failures);
    char key[96];
    snprintf(key, sizeof key, "%s.p50_ms", id);
    bench_num(key, bench_percentile(&s->latency_us, 50) / 1000);
    snprintf(key, sizeof key, "%s.p99_ms", id);
    bench_num(key, bench_percentile(&s->latency_us, 99) / 1000);
    snprintf(key, sizeof key, "%s.max_ms", id);
    bench_num(key, bench_max(&s->latency_us) / 1000);
}

static int start_side(side *s, bench_env *env, bench_sink sink)
{
    bench_proxy_options o = {.binary = "kiro-proxy-async", .sink = sink, .log_level = "debug"};
    if (bench_proxy_start(&s->proxy, env, &o) != 0)
        return -1;
    char url[sizeof s->url]; /* not straight into s: gcc -O0 sees an overlap there */
    snprintf(url, sizeof url, "%s/v1/models", s->proxy.url);
    memcpy(s->url, url, sizeof url);
    return bench_client_init(&s->client, bench_api_headers, 1, 0);
}

static void probe(side *s)
{
    bench_timing t;
    if (bench_client_request(&s->client, s->url, NULL, 0, PROBE_TIMEOUT_MS, &t) != 0 ||
        t.status != 200)
        s->failures++;
    bench_samples_add(&s->latency_us, t.total_us);
}

int main(int argc, char **argv)
{
    long requests = MIN_REQUESTS;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--requests") && i + 1 < argc) {
            requests = atol(argv[++i]);
        } else {
            fprintf(stderr, "usage: bench-probe [--requests N]\n");
            return strcmp(argv[i], "--help") ? 2 : 0;
        }
    }
    if (requests < 10) {
        fprintf(stderr, "usage: bench-probe [--requests N]\n");
        return 2;
    }
    bench_watchdog_start(argv[0], WATCHDOG_S);
    curl_global_init(CURL_GLOBAL_DEFAULT);

    bench_env env;
    side stalled = {.name = "stalled pipe"}, drained = {.name = "draining reader"};
    if (bench_env_start(&env, NULL) != 0)
        return 1;
    int rc = 1;
    long before = 0, after = 0;
    if (start_side(&stalled, &env, BENCH_SINK_STALLED) != 0 ||
        start_side(&drained, &env, BENCH_SINK_DRAINED) != 0)
        goto out;
    int full_before = bench_fill_log_pipe(&stalled.proxy, &before) == 0;
    long ignored;
    bench_fill_log_pipe(&drained.proxy, &ignored); /* same requests on both sides */
    fprintf(stderr, "bench-probe: stalled pipe %s (FIONREAD %ld of %ld); %ld probes each\n",
            full_before ? "full" : "NOT full", before, stalled.proxy.log.capacity, requests);

    for (long i = 0; i < requests; i++) {
        side *first = i % 2 ? &drained : &stalled, *second = i % 2 ? &stalled : &drained;
        probe(first);
        probe(second);
    }
    int full_after = bench_pipe_is_full(&stalled.proxy.log);
    after = bench_pipe_pending(&stalled.proxy.log);
    double queued = bench_metric(stalled.proxy.url, "kiro_log_bytes_queued");
    double dropped = bench_metric(stalled.proxy.url, "kiro_log_lines_dropped_total");

    report_side(&stalled, "probe.stalled");
    report_side(&drained, "probe.drained");
    double ratio = bench_ratio(bench_percentile(&stalled.latency_us, 99),
                               bench_percentile(&drained.latency_us, 99));
    bench_row("probe.p99_ratio", SECTION, "p99 stalled / p99 draining (interleaved)",
              bench_verdict(ratio <= TARGET_RATIO && requests >= MIN_REQUESTS), "<= 1.5",
              "%.2f", ratio);
    bench_num("probe.p99_ratio", ratio);
    double max_ms = bench_max(&stalled.latency_us) / 1000;
    bench_row("probe.stalled_max", SECTION, "slowest probe with the pipe stalled",
              bench_verdict(max_ms <= TARGET_MAX_MS && stalled.failures == 0),
              "<= 100 ms, 0 failed", "%.2f ms, %ld failed of %ld", max_ms, stalled.failures,
              requests);
    bench_row("probe.pipe_full", SECTION, "stalled pipe full before and after the probes",
              bench_verdict(full_before && full_after), "full",
              "FIONREAD %ld before, %ld after, capacity %ld; %s; the proxy's log queue holds "
              "%.0f KiB, %.0f lines dropped",
              before, after, stalled.proxy.log.capacity,
              full_after ? "no byte writable" : "WRITABLE", queued / 1024, dropped);
    rc = 0;
out:
    bench_client_free(&stalled.client);
    bench_client_free(&drained.client);
    bench_proxy_stop(&stalled.proxy);
    bench_proxy_stop(&drained.proxy);
    bench_env_stop(&env);
    bench_samples_free(&stalled.latency_us);
    bench_samples_free(&drained.latency_us);
    curl_global_cleanup();
    return rc;
}
