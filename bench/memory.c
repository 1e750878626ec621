/* memory.c: bench-memory, figure 4: the async proxy's memory stays bounded while its log
 * pipe is stalled.
 *
 * kiro-proxy-async at --log-level debug with stdout+stderr on a pipe nobody reads. 100,000
 * POST /v1/messages whose bodies make one 10 KiB [KIRO_PRE] line each (the whole body is
 * logged at debug level) and that the proxy rejects before any upstream call (unknown model:
 * 400). The resident size (bench_scrape.h) is taken after start-up and after the last request;
 * target: after <= start + the log queue's byte budget (read from /metrics) + 4 MiB. The lines
 * are confirmed from /metrics (kiro_log_lines_logged_total, kiro_log_bytes_logged_total) and
 * the 400 answers counted.
 *
 *   bench-memory [--lines N] [--connections N] [--queue-bytes N] */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_bodies.h"
#include "bench_load.h"
#include "bench_rows.h"
#include "bench_scrape.h"
#include "bench_stack.h"
#include "bench_watchdog.h"

enum { REQUEST_TIMEOUT_MS = 10000, WATCHDOG_S = 170, SETTLE_MS = 500 };

#define SECTION "4 memory"
#define LINE_BYTES 10240
/* "<24-char timestamp> DEBUG [KIRO_PRE] id=<28-char request id> api=anthropic body=" */
#define LINE_PREFIX_BYTES (24 + 7 + 14 + 28 + 20)
#define SLACK_BYTES (4L << 20)
#define TARGET_LINES 100000

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
    long lines = 100000, connections = 8;
    const char *queue_bytes = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--lines") && v)
            lines = atol(v), i++;
        else if (!strcmp(argv[i], "--connections") && v)
            connections = atol(v), i++;
        else if (!strcmp(argv[i], "--queue-bytes") && v)
            queue_bytes = v, i++;
        else {
            fprintf(stderr, "usage: bench-memory [--lines N] [--connections N] "
                            "[--queue-bytes N]\n");
            return 2;
        }
    }
    if (lines < 1 || connections < 1 || connections > 500) {
        fprintf(stderr, "bench-memory: bad --lines or --connections\n");
        return 2;
    }
    bench_watchdog_start(argv[0], WATCHDOG_S);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    char *body = bench_rejected_message(LINE_BYTES - LINE_PREFIX_BYTES - 1);
    bench_env env;
    if (!body || bench_env_start(&env, NULL) != 0)
        return 1;
    const char *extra[] = {"--log-queue-bytes", queue_bytes, NULL};
    bench_proxy_options po = {.binary = "kiro-proxy-async", .sink = BENCH_SINK_STALLED,
                              .log_level = "debug", .extra_args = queue_bytes ? extra : NULL};
    bench_proxy proxy;
    int rc = 1;
    if (bench_proxy_start(&proxy, &env, &po) != 0)
        goto out;
    sleep_ms(SETTLE_MS); /* past the first model-list fetch */
    long start = bench_resident_bytes(proxy.pid);
    double budget = bench_metric(proxy.url, "kiro_log_queue_budget_bytes");

    char url[128];
    snprintf(url, sizeof url, "%s/v1/messages", proxy.url);
    bench_request request = {.url = url, .body = body, .body_len = strlen(body),
                             .headers = bench_api_headers};
    bench_load_options lo = {.connections = (int)connections, .requests = (uint64_t)lines,
                             .timeout_ms = REQUEST_TIMEOUT_MS, .expect_status = 400};
    bench_load_result r;
    if (bench_load_run(&request, &lo, &r) != 0)
        goto out;
    long after = bench_resident_bytes(proxy.pid);
    double logged = bench_metric(proxy.url, "kiro_log_lines_logged_total");
    double bytes = bench_metric(proxy.url, "kiro_log_bytes_logged_total");
    double dropped = bench_metric(proxy.url, "kiro_log_lines_dropped_total");
    double queued = bench_metric(proxy.url, "kiro_log_bytes_queued");
    long pending = bench_pipe_pending(&proxy.log);
    int full = bench_pipe_is_full(&proxy.log);

    double limit = (double)start + budget + (double)SLACK_BYTES;
    int ok = start > 0 && after > 0 && budget > 0 && (double)after <= limit;
    bench_row("memory.rss", SECTION, "resident size after the lines vs at start",
              bench_verdict(ok), "<= start + queue budget + 4 MiB",
              "%.1f MiB after vs %.1f MiB at start; limit %.1f MiB (queue budget %.1f MiB)",
              (double)after / 1048576, (double)start / 1048576, limit / 1048576,
              budget / 1048576);
    bench_num("memory.rss_start_bytes", (double)start);
    bench_num("memory.rss_after_bytes", (double)after);
    bench_num("memory.queue_budget_bytes", budget);

    /* The target needs 100,000 lines whatever --lines asked for. */
    int lines_ok = r.completed >= TARGET_LINES && r.failed == 0 && logged >= TARGET_LINES &&
                   bytes >= (double)TARGET_LINES * LINE_BYTES;
    bench_row("memory.lines", SECTION, "10 KiB lines logged into the stalled pipe",
              bench_verdict(lines_ok && full), ">= 100,000 (from /metrics), pipe full",
              "%llu rejected requests (400) of %ld, %llu failed; /metrics: %.0f lines, %.0f MB "
              "logged, %.0f dropped, %.1f MiB queued; pipe %s (FIONREAD %ld); %.1f s, %ld "
              "connections; RSS by %s",
              (unsigned long long)r.completed, lines, (unsigned long long)r.failed, logged,
              bytes / 1e6, dropped, queued / 1048576, full ? "full" : "NOT full", pending,
              r.elapsed_s, connections, bench_resident_method());
    bench_num("memory.lines_logged", logged);
    rc = 0;
    bench_load_result_free(&r);
out:
    bench_proxy_stop(&proxy);
    bench_env_stop(&env);
    free(body);
    curl_global_cleanup();
    return rc;
}
