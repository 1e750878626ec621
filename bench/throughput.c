/* throughput.c: bench-throughput, figure 3: requests per second on GET /v1/models with
 * keep-alive from 50 connections (bench_load.h, libcurl multi, the same code on every OS).
 *
 * Three proxies at --log-level info in front of one fake-kiro, and two reference servers, all
 * alive for the whole run:
 *   async-drained    kiro-proxy-async, log pipe drained by this program;
 *   async-stalled    kiro-proxy-async, log pipe never read (made full first);
 *   blocking-drained kiro-proxy-blocking, log pipe drained;
 *   bare-mhd         bench-ref-mhd (ref/bare_mhd.c): libmicrohttpd alone in the proxy's
 *                    threading mode, the same body after the same key check, nothing else;
 *   bare-mhd-gate    the same behind the proxy's front gate (bench-ref-mhd --gate): what the
 *                    gate's relay costs alone, and what is left for the proxy's own work;
 *   bare-mhd-pool    the same event-driven (bench-ref-mhd --pool: no thread per connection):
 *                    what the library reaches without a thread hand-off per request;
 *   go               bench-ref-go (ref/go_reference.go): net/http and the standard log package
 *                    (one access line per request, to a drained pipe), built when Go is
 *                    installed; the table says so when it is not.
 * Both references serve the very body the async proxy answers (fetched from it first).
 * Rounds of one short run per server, the order rotating each round, so that drift of this
 * shared machine hits all of them alike; rates are total completed / total time over all
 * rounds. Targets: async-stalled / async-drained >= 0.9; async-drained / blocking-drained >=
 * 1.0; async-drained / go >= 1.5; async-drained / bare-mhd >= 0.8; no failed request. The
 * per-round ratios and a 95% interval are printed too, to show the noise. Without targets,
 * to show what bounds those: bare-mhd-gate / bare-mhd (the gate), async-drained /
 * bare-mhd-gate (the proxy's own work), bare-mhd / go and bare-mhd-pool / go (the threading
 * mode).
 * wrk is not used: one generator, the same code on every system (short wrk runs on this
 * machine varied by +-20% from one second to the next, too noisy for a cross-check).
 *
 *   bench-throughput [--rounds N] [--seconds S] [--connections N] */
#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_fill.h"
#include "bench_load.h"
#include "bench_rows.h"
#include "bench_scrape.h"
#include "bench_stack.h"
#include "bench_watchdog.h"
#include "http.h"
#include "proc.h"

#include <unistd.h>

enum { CONFIGS_MAX = 7, PROXIES = 3, ROUNDS_MAX = 20, REQUEST_TIMEOUT_MS = 5000,
       WATCHDOG_S = 170 };

/* Indexes into configs[]: the Go reference is last, so that it can be left out. */
enum { C_ASYNC, C_STALLED, C_BLOCKING, C_MHD, C_MHD_GATE, C_MHD_POOL, C_GO };

#define SECTION "3 throughput"

typedef struct config {
    const char *id, *label, *binary;
    const char *mode; /* extra bench-ref-mhd flag, or NULL */
    bench_sink sink;
    bench_proxy proxy;
    char url[128];
    uint64_t completed, failed;
    double seconds;
    double rps[ROUNDS_MAX];
    char first_failure[192];
} config;

typedef struct options {
    int rounds, connections;
    double seconds;
} options;

static int run_load(config *c, const options *o, double seconds, int round)
{
    bench_request request = {.url = c->url, .headers = bench_api_headers};
    bench_load_options lo = {.connections = o->connections, .seconds = seconds,
                             .timeout_ms = REQUEST_TIMEOUT_MS, .expect_status = 200};
    bench_load_result r;
    if (bench_load_run(&request, &lo, &r) != 0)
        return -1;
    if (round >= 0) {
        c->completed += r.completed;
        c->failed += r.failed;
        c->seconds += r.elapsed_s;
        c->rps[round] = (double)r.completed / r.elapsed_s;
        if (r.failed && !c->first_failure[0])
            snprintf(c->first_failure, sizeof c->first_failure, "%s", r.first_failure);
    }
    bench_load_result_free(&r);
    return 0;
}

/* The async proxy's own /v1/models body, for the reference servers to serve. */
static int save_models_body(const config *proxy, const bench_env *env, char *path,
                            size_t path_size)
{
    static const char *const headers[] = {"x-api-key: " BENCH_API_KEY, NULL};
    tp_response r;
    int ok = tp_http("GET", proxy->url, headers, NULL, 0, REQUEST_TIMEOUT_MS, &r) == 0 &&
             r.status == 200 && r.body && r.body[0];
    ok = ok && tp_write_file(env->dir, "models.json", r.body, path, path_size) == 0;
    tp_response_free(&r);
    if (!ok)
        fprintf(stderr, "bench-throughput: could not read /v1/models from the proxy\n");
    return ok ? 0 : -1;
}

static double rate(const config *c)
{
    return c->seconds > 0 ? (double)c->completed / c->seconds : 0;
}

/* Ratio of total rates, with the spread of the per-round ratios and a 95% interval of their
 * geometric mean (normal approximation on the logs), to show how much noise it carries. */
static void ratio_row(const char *id, const char *figure, const char *target, double limit,
                      const config *num, const config *den, int rounds)
{
    double ratio = bench_ratio(rate(num), rate(den));
    double lo = 1e9, hi = 0, sum = 0, sum2 = 0;
    for (int i = 0; i < rounds; i++) {
        double r = bench_ratio(num->rps[i], den->rps[i]);
        lo = r < lo ? r : lo;
        hi = r > hi ? r : hi;
        double l = log(r > 0 ? r : 1e-9);
        sum += l;
        sum2 += l * l;
    }
    double mean = sum / rounds;
    double sd = rounds > 1 ? sqrt((sum2 - sum * mean) / (rounds - 1)) : 0;
    double half = 1.96 * sd / sqrt((double)rounds);
    int ok = ratio >= limit && num->failed == 0 && den->failed == 0;
    /* limit 0: no target, the row explains others (failed requests still fail it) */
    bench_status status = limit > 0 || !ok ? bench_verdict(ok) : BENCH_INFO;
    bench_row(id, SECTION, figure, status, target,
              "%.3f (%.0f vs %.0f req/s); per round %.2f..%.2f over %d rounds, 95%% interval "
              "%.2f..%.2f",
              ratio, rate(num), rate(den), lo, hi, rounds, exp(mean - half), exp(mean + half));
    bench_num(id, ratio);
}

static int parse(int argc, char **argv, options *o)
{
    *o = (options){.rounds = 10, .connections = 50, .seconds = 0.8};
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--rounds") && v)
            o->rounds = atoi(v), i++;
        else if (!strcmp(argv[i], "--seconds") && v)
            o->seconds = atof(v), i++;
        else if (!strcmp(argv[i], "--connections") && v)
            o->connections = atoi(v), i++;
        else
            return -1;
    }
    return o->rounds >= 1 && o->rounds <= ROUNDS_MAX && o->seconds > 0.1 &&
                   o->connections >= 1 && o->connections <= 1000
               ? 0
               : -1;
}

int main(int argc, char **argv)
{
    options o;
    if (parse(argc, argv, &o) != 0) {
        fprintf(stderr, "usage: bench-throughput [--rounds 1..%d] [--seconds S] "
                        "[--connections N]\n", ROUNDS_MAX);
        return 2;
    }
    bench_watchdog_start(argv[0], WATCHDOG_S);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    config configs[CONFIGS_MAX] = {
        {.id = "throughput.async_drained", .label = "async, draining reader",
         .binary = "kiro-proxy-async", .sink = BENCH_SINK_DRAINED},
        {.id = "throughput.async_stalled", .label = "async, stalled pipe",
         .binary = "kiro-proxy-async", .sink = BENCH_SINK_STALLED},
        {.id = "throughput.blocking_drained", .label = "blocking, draining reader",
         .binary = "kiro-proxy-blocking", .sink = BENCH_SINK_DRAINED},
        {.id = "throughput.bare_mhd", .label = "bare libmicrohttpd (bench-ref-mhd)",
         .binary = "bench-ref-mhd", .sink = BENCH_SINK_DEVNULL},
        {.id = "throughput.bare_mhd_gate",
         .label = "bare libmicrohttpd behind the proxy's front gate (bench-ref-mhd --gate)",
         .binary = "bench-ref-mhd", .mode = "--gate", .sink = BENCH_SINK_DEVNULL},
        {.id = "throughput.bare_mhd_pool",
         .label = "bare libmicrohttpd, event-driven, a thread per core (bench-ref-mhd --pool)",
         .binary = "bench-ref-mhd", .mode = "--pool", .sink = BENCH_SINK_DEVNULL},
        {.id = "throughput.go", .label = "Go net/http + log, draining reader (bench-ref-go)",
         .binary = "bench-ref-go", .sink = BENCH_SINK_DRAINED},
    };
    char go_path[512];
    tp_bin_path("bench-ref-go", go_path, sizeof go_path);
    const int have_go = access(go_path, X_OK) == 0;
    const int count = have_go ? CONFIGS_MAX : CONFIGS_MAX - 1;
    bench_env env;
    if (bench_env_start(&env, NULL) != 0)
        return 1;
    int rc = 1, started = 0;
    char body_path[256] = "";
    for (; started < count; started++) {
        config *c = &configs[started];
        if (started < PROXIES) {
            bench_proxy_options po = {.binary = c->binary, .sink = c->sink};
            if (bench_proxy_start(&c->proxy, &env, &po) != 0)
                goto out;
        } else {
            if (!body_path[0] && save_models_body(&configs[C_ASYNC], &env, body_path,
                                                  sizeof body_path) != 0)
                goto out;
            const char *args[] = {"--body", body_path, "--api-key", BENCH_API_KEY, c->mode, NULL};
            bench_server_options so = {.binary = c->binary, .args = args, .sink = c->sink,
                                       .ready_path = "/v1/models"};
            if (bench_server_start(&c->proxy, &so) != 0)
                goto out;
        }
        char url[sizeof c->url]; /* not straight into c: gcc -O0 sees an overlap there */
        snprintf(url, sizeof url, "%s/v1/models", c->proxy.url);
        memcpy(c->url, url, sizeof url);
    }
    long pending = 0;
    int full = bench_fill_log_pipe(&configs[C_STALLED].proxy, &pending) == 0;
    for (int i = 0; i < count; i++) /* warm-up: threads, caches, connections */
        if (run_load(&configs[i], &o, 0.3, -1) != 0)
            goto out;
    for (int round = 0; round < o.rounds; round++) {
        for (int k = 0; k < count; k++)
            if (run_load(&configs[(k + round) % count], &o, o.seconds, round) != 0)
                goto out;
        fprintf(stderr, "bench-throughput: round %d of %d:", round + 1, o.rounds);
        for (int k = 0; k < count; k++)
            fprintf(stderr, " %.0f", configs[k].rps[round]);
        fprintf(stderr, " req/s\n");
    }
    int still_full = bench_pipe_is_full(&configs[C_STALLED].proxy.log);
    double dropped = bench_metric(configs[C_STALLED].proxy.url, "kiro_log_lines_dropped_total");

    for (int i = 0; i < count; i++) {
        config *c = &configs[i];
        char figure[128];
        snprintf(figure, sizeof figure, "GET /v1/models, %d keep-alive connections: %s",
                 o.connections, c->label);
        bench_row(c->id, SECTION, figure, bench_verdict(c->failed == 0), "0 failed",
                  "%.0f req/s (%llu requests in %.1f s, %llu failed%s%s)", rate(c),
                  (unsigned long long)c->completed, c->seconds, (unsigned long long)c->failed,
                  c->failed ? ": " : "", c->first_failure);
        char key[96];
        snprintf(key, sizeof key, "%s.rps", c->id);
        bench_num(key, rate(c));
    }
    ratio_row("throughput.stalled_vs_drained", "async: stalled pipe / draining reader", ">= 0.9",
              0.9, &configs[C_STALLED], &configs[C_ASYNC], o.rounds);
    ratio_row("throughput.async_vs_blocking", "draining reader: async / blocking", ">= 1.0", 1.0,
              &configs[C_ASYNC], &configs[C_BLOCKING], o.rounds);
    ratio_row("throughput.async_vs_bare_mhd",
              "async proxy / bare libmicrohttpd (what the proxy keeps of its HTTP layer)", ">= 0.8",
              0.8, &configs[C_ASYNC], &configs[C_MHD], o.rounds);
    ratio_row("throughput.gate_vs_bare_mhd",
              "bare libmicrohttpd behind the front gate / bare (what the gate's relay costs)",
              "(bounds the 0.8x target)", 0, &configs[C_MHD_GATE], &configs[C_MHD], o.rounds);
    ratio_row("throughput.async_vs_gate",
              "async proxy / bare libmicrohttpd behind the front gate (the proxy's own work)",
              "(what is left to the proxy)", 0, &configs[C_ASYNC], &configs[C_MHD_GATE],
              o.rounds);
    if (have_go) {
        ratio_row("throughput.async_vs_go", "async proxy / Go net/http + log reference", ">= 1.5",
                  1.5, &configs[C_ASYNC], &configs[C_GO], o.rounds);
        ratio_row("throughput.bare_mhd_vs_go",
                  "bare libmicrohttpd, thread per connection / Go (the proxy's threading mode)",
                  "(bounds the 1.5x target)", 0, &configs[C_MHD], &configs[C_GO], o.rounds);
        ratio_row("throughput.pool_vs_go",
                  "bare libmicrohttpd, event-driven / Go (without a thread hand-off per request)",
                  "(what another threading mode allows)", 0, &configs[C_MHD_POOL],
                  &configs[C_GO], o.rounds);
    } else
        bench_row("throughput.async_vs_go", SECTION, "async proxy / Go net/http + log reference",
                  BENCH_NA, ">= 1.5",
                  "not measured: Go is not installed (%s missing; apt-get install golang-go, "
                  "or scripts/install-deps.sh bench, then rebuild)", go_path);
    bench_row("throughput.pipe_full", SECTION, "stalled pipe full through the runs",
              bench_verdict(full && still_full), "full",
              "FIONREAD %ld of %ld before, %s after; the stalled proxy dropped %.0f log lines",
              pending, configs[C_STALLED].proxy.log.capacity, still_full ? "full" : "NOT full",
              dropped);
    rc = 0;
out:
    for (int i = 0; i < started; i++)
        bench_proxy_stop(&configs[i].proxy);
    if (body_path[0])
        unlink(body_path);
    bench_env_stop(&env);
    curl_global_cleanup();
    return rc;
}
