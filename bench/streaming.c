/* streaming.c: bench-stream, figure 5: streaming /v1/messages through the proxy.
 *
 * kiro-proxy-async (info level, log pipe drained) in front of fake-kiro.
 * Time to first byte: POST /v1/messages with stream:true through the proxy, and the
 * equivalent Kiro body (bench_bodies.h) POSTed straight to fake-kiro's
 * generateAssistantResponse, alternating, each on its own keep-alive connection; the time is
 * from the start of the request to the first body byte (first SSE byte through the proxy,
 * first event-stream byte from fake-kiro). A third side, interleaved with the two, sends the
 * same Kiro body straight to fake-kiro on a new connection per request: what a request costs
 * when a connection has to be opened for it (TCP handshake, fake-kiro's accept and thread per
 * connection), which the proxy paid on every request until its upstream calls shared one
 * connection cache (server/upstream_share.c). Reported: p50/p99 of each and the ratio
 * proxy/direct (target <= 2x at p50). Two more sides, interleaved with those, show what the
 * front gate's hop costs by itself: GET /v1/models on a keep-alive connection to bench-ref-mhd
 * (bare libmicrohttpd in the proxy's threading mode) and to bench-ref-mhd --gate (the same
 * behind the proxy's front gate); the difference of their p50 is the gate's share of what the
 * proxy adds, in the unit bench-machine measures (one thread hand-off).
 * Sustained streams: fake-kiro is switched (POST /__fake/faults) to 8 KiB replies in 64-byte
 * frames 2 ms apart (~0.25 s per stream); 50 streams are kept in flight until `rounds` x 50
 * have run. Target: every stream answers 200 and ends with `event: message_stop`, and
 * fake-kiro counts no aborted stream.
 *
 *   bench-stream [--samples N] [--rounds N] [--concurrency N] */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_bodies.h"
#include "bench_client.h"
#include "bench_load.h"
#include "bench_rows.h"
#include "bench_stack.h"
#include "bench_stats.h"
#include "bench_watchdog.h"
#include "http.h"
#include "proc.h"

enum { REQUEST_TIMEOUT_MS = 10000, WATCHDOG_S = 120 };

#define SECTION "5 streaming"
#define SUSTAINED_FAULTS "{\"reply_bytes\":8192,\"frame_bytes\":64,\"slow_ms\":2}"

/* What the proxy sends upstream, the Kiro IDE's user agents included (fake-kiro answers an
 * unknown client 403, as Kiro does). */
static const char *const direct_headers[] = {
    "Authorization: Bearer " BENCH_ACCESS_TOKEN, "Content-Type: application/json",
    "x-amz-user-agent: aws-sdk-js/1.0.27 KiroIDE-1.6.0-bench-machine",
    "User-Agent: aws-sdk-js/1.0.27 ua/2.1 os/linux#6.1.0 lang/js md/nodejs#22.21.1 "
    "api/codewhispererstreaming#1.0.27 m/E KiroIDE-1.6.0-bench-machine",
    NULL};

typedef struct ttfb_side {
    bench_client client;
    char url[128];
    const char *body;
    const char *must_contain; /* NULL: status only */
    bench_samples first_byte_us;
    long failures;
} ttfb_side;

static void sample(ttfb_side *s)
{
    bench_timing t;
    int ok = bench_client_request(&s->client, s->url, s->body, s->body ? strlen(s->body) : 0,
                                  REQUEST_TIMEOUT_MS, &t) == 0 &&
             t.status == 200;
    if (ok && s->must_contain && !strstr(bench_client_body(&s->client), s->must_contain))
        ok = 0;
    if (!ok)
        s->failures++;
    bench_samples_add(&s->first_byte_us, t.first_byte_us);
}

/* Integer field of fake-kiro's /__fake/stats, or -1. */
static long fake_stat(bench_env *env, const char *field)
{
    char url[128], key[64];
    snprintf(url, sizeof url, "%s/__fake/stats", env->fake_url);
    snprintf(key, sizeof key, "\"%s\":", field);
    tp_response r;
    long value = -1;
    if (tp_http("GET", url, NULL, NULL, 0, REQUEST_TIMEOUT_MS, &r) == 0 && r.body) {
        const char *at = strstr(r.body, key);
        if (at)
            value = strtol(at + strlen(key), NULL, 10);
    }
    tp_response_free(&r);
    return value;
}

static void report_ttfb(ttfb_side *proxy, ttfb_side *direct, ttfb_side *fresh, long samples)
{
    double p50 = bench_percentile(&proxy->first_byte_us, 50) / 1000,
           p99 = bench_percentile(&proxy->first_byte_us, 99) / 1000,
           d50 = bench_percentile(&direct->first_byte_us, 50) / 1000,
           d99 = bench_percentile(&direct->first_byte_us, 99) / 1000;
    bench_row("stream.ttfb_proxy", SECTION, "first SSE byte through the proxy: p50 / p99",
              bench_verdict(proxy->failures == 0), "0 failed",
              "%.2f / %.2f ms over %ld streams, %ld failed", p50, p99, samples, proxy->failures);
    bench_row("stream.ttfb_direct", SECTION, "first event-stream byte straight from fake-kiro",
              bench_verdict(direct->failures == 0), "0 failed",
              "%.2f / %.2f ms over %ld requests, %ld failed", d50, d99, samples,
              direct->failures);
    double f50 = bench_percentile(&fresh->first_byte_us, 50) / 1000,
           f99 = bench_percentile(&fresh->first_byte_us, 99) / 1000;
    bench_row("stream.ttfb_direct_fresh", SECTION,
              "first event-stream byte from fake-kiro, new connection per request",
              bench_verdict(fresh->failures == 0), "0 failed",
              "%.2f / %.2f ms over %ld requests, %ld failed", f50, f99, samples, fresh->failures);
    bench_row("stream.ttfb_ratio", SECTION, "time to first byte, proxy / direct", 
              bench_verdict(bench_ratio(p50, d50) <= 2.0), "<= 2x at p50",
              "p50 %.2fx, p99 %.2fx (interleaved, keep-alive)", bench_ratio(p50, d50),
              bench_ratio(p99, d99));
    bench_row("stream.ttfb_split", SECTION, "what the proxy adds, and what a new connection costs",
              BENCH_INFO, "(explains the ratio)",
              "the proxy adds %.2f ms at p50 over keep-alive direct (its own work and four more "
              "thread hand-offs: client-gate-libmicrohttpd and back, the gate's two below); a new "
              "connection per request would add %.2f ms (fresh - keep-alive direct)",
              p50 - d50, f50 - d50);
    bench_num("stream.ttfb_direct_fresh_p50_ms", f50);
    bench_num("stream.ttfb_proxy_p50_ms", p50);
    bench_num("stream.ttfb_direct_p50_ms", d50);
    bench_num("stream.ttfb_ratio_p50", bench_ratio(p50, d50));
    bench_num("stream.ttfb_ratio_p99", bench_ratio(p99, d99));
}

/* What one hop through the front gate costs: bare libmicrohttpd with and without the gate. */
static void report_gate_hop(ttfb_side *bare, ttfb_side *gated, ttfb_side *proxy,
                            ttfb_side *direct, long samples)
{
    double b50 = bench_percentile(&bare->first_byte_us, 50) / 1000,
           b99 = bench_percentile(&bare->first_byte_us, 99) / 1000,
           g50 = bench_percentile(&gated->first_byte_us, 50) / 1000,
           g99 = bench_percentile(&gated->first_byte_us, 99) / 1000;
    double added = bench_percentile(&proxy->first_byte_us, 50) / 1000 -
                   bench_percentile(&direct->first_byte_us, 50) / 1000;
    bench_row("stream.hop_bare", SECTION,
              "keep-alive GET /v1/models, bare libmicrohttpd (bench-ref-mhd): p50 / p99",
              bare->failures ? BENCH_FAIL : BENCH_INFO, "(reference)",
              "%.3f / %.3f ms over %ld requests, %ld failed", b50, b99, samples, bare->failures);
    bench_row("stream.hop_gated", SECTION,
              "the same behind the proxy's front gate (bench-ref-mhd --gate): p50 / p99",
              gated->failures ? BENCH_FAIL : BENCH_INFO, "(reference)",
              "%.3f / %.3f ms over %ld requests, %ld failed", g50, g99, samples, gated->failures);
    bench_row("stream.hop_gate", SECTION, "what the front gate's hop adds to one request",
              BENCH_INFO, "(bounds the 2x target)",
              "%.3f ms at p50 (gated - bare: two more thread hand-offs), of the %.3f ms the proxy "
              "adds to the first byte",
              g50 - b50, added);
    bench_num("stream.hop_gate_p50_ms", g50 - b50);
}

static int sustained(bench_env *env, bench_proxy *proxy, const char *body, int concurrency,
                     int rounds)
{
    char url[128];
    snprintf(url, sizeof url, "%s/__fake/faults", env->fake_url);
    tp_response fr;
    int set = tp_http("POST", url, NULL, SUSTAINED_FAULTS, strlen(SUSTAINED_FAULTS),
                      REQUEST_TIMEOUT_MS, &fr) == 0 && fr.status == 200;
    tp_response_free(&fr);
    if (!set) {
        fprintf(stderr, "bench-stream: fake-kiro refused %s\n", SUSTAINED_FAULTS);
        return -1;
    }
    long aborted_before = fake_stat(env, "streams_aborted");
    snprintf(url, sizeof url, "%s/v1/messages", proxy->url);
    bench_request request = {.url = url, .body = body, .body_len = strlen(body),
                             .headers = bench_api_headers};
    bench_load_options lo = {.connections = concurrency,
                             .requests = (uint64_t)concurrency * (uint64_t)rounds,
                             .timeout_ms = REQUEST_TIMEOUT_MS, .expect_status = 200,
                             .expect_text = "event: message_stop"};
    bench_load_result r;
    if (bench_load_run(&request, &lo, &r) != 0)
        return -1;
    long aborted = fake_stat(env, "streams_aborted") - aborted_before;
    int ok = r.failed == 0 && r.completed == lo.requests && aborted == 0;
    char figure[128];
    snprintf(figure, sizeof figure, "%d concurrent streams x %d rounds, 8 KiB replies",
             concurrency, rounds);
    bench_row("stream.sustained", SECTION, figure, bench_verdict(ok),
              "all end with message_stop, 0 errors",
              "%llu of %llu ended with message_stop, %llu failed%s%s; fake-kiro aborted %ld; "
              "%.1f s, %.0f streams/s",
              (unsigned long long)r.completed, (unsigned long long)lo.requests,
              (unsigned long long)r.failed, r.failed ? ": " : "", r.first_failure, aborted,
              r.elapsed_s, (double)r.completed / r.elapsed_s);
    bench_num("stream.sustained_failed", (double)r.failed);
    bench_load_result_free(&r);
    return 0;
}

int main(int argc, char **argv)
{
    long samples = 300;
    int rounds = 5, concurrency = 50;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--samples") && v)
            samples = atol(v), i++;
        else if (!strcmp(argv[i], "--rounds") && v)
            rounds = atoi(v), i++;
        else if (!strcmp(argv[i], "--concurrency") && v)
            concurrency = atoi(v), i++;
        else {
            fprintf(stderr, "usage: bench-stream [--samples N] [--rounds N] [--concurrency N]\n");
            return 2;
        }
    }
    if (samples < 1 || rounds < 1 || concurrency < 1 || concurrency > 500) {
        fprintf(stderr, "bench-stream: bad option value\n");
        return 2;
    }
    bench_watchdog_start(argv[0], WATCHDOG_S);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    char *message = bench_stream_message(), *kiro = bench_kiro_request();
    bench_env env;
    if (!message || !kiro || bench_env_start(&env, NULL) != 0)
        return 1;
    bench_proxy proxy, bare_ref, gated_ref;
    memset(&bare_ref, 0, sizeof bare_ref);
    memset(&gated_ref, 0, sizeof gated_ref);
    bare_ref.log.read_fd = bare_ref.log.write_fd = -1; /* nothing to close before a start */
    gated_ref.log.read_fd = gated_ref.log.write_fd = -1;
    bench_proxy_options po = {.binary = "kiro-proxy-async", .sink = BENCH_SINK_DRAINED};
    ttfb_side via = {.body = message, .must_contain = "event: message_stop"};
    ttfb_side direct = {.body = kiro};
    ttfb_side fresh = {.body = kiro};
    ttfb_side bare = {.body = NULL}, gated = {.body = NULL};
    enum { SIDES = 5 };
    ttfb_side *sides[SIDES] = {&via, &direct, &fresh, &bare, &gated};
    char body_path[256] = "";
    int rc = 1;
    if (bench_proxy_start(&proxy, &env, &po) != 0 ||
        bench_client_init(&via.client, bench_api_headers, 0, 1) != 0 ||
        bench_client_init(&direct.client, direct_headers, 0, 0) != 0 ||
        bench_client_init(&fresh.client, direct_headers, 1, 0) != 0 ||
        bench_client_init(&bare.client, bench_api_headers, 0, 0) != 0 ||
        bench_client_init(&gated.client, bench_api_headers, 0, 0) != 0)
        goto out;
    /* The reference servers answer a small JSON body, like the proxy's /health. */
    static const char ref_body[] = "{\"status\":\"ok\",\"service\":\"bench-ref-mhd\"}";
    if (tp_write_file(env.dir, "ref-body.json", ref_body, body_path, sizeof body_path) != 0)
        goto out;
    const char *bare_args[] = {"--body", body_path, "--api-key", BENCH_API_KEY, NULL};
    const char *gated_args[] = {"--body", body_path, "--api-key", BENCH_API_KEY, "--gate", NULL};
    bench_server_options bo = {.binary = "bench-ref-mhd", .args = bare_args,
                               .sink = BENCH_SINK_DEVNULL, .ready_path = "/v1/models"};
    bench_server_options go = bo;
    go.args = gated_args;
    if (bench_server_start(&bare_ref, &bo) != 0 || bench_server_start(&gated_ref, &go) != 0)
        goto out;
    snprintf(via.url, sizeof via.url, "%s/v1/messages", proxy.url);
    snprintf(direct.url, sizeof direct.url, "%s/generateAssistantResponse", env.fake_url);
    snprintf(fresh.url, sizeof fresh.url, "%s/generateAssistantResponse", env.fake_url);
    snprintf(bare.url, sizeof bare.url, "%s/v1/models", bare_ref.url);
    snprintf(gated.url, sizeof gated.url, "%s/v1/models", gated_ref.url);
    for (int k = 0; k < SIDES; k++) { /* warm-up: connections, the proxy's upstream path */
        sample(sides[k]);
        sides[k]->failures = 0;
        bench_samples_free(&sides[k]->first_byte_us);
    }
    for (long i = 0; i < samples; i++) /* the order rotates every request */
        for (int k = 0; k < SIDES; k++)
            sample(sides[(i + k) % SIDES]);
    report_ttfb(&via, &direct, &fresh, samples);
    report_gate_hop(&bare, &gated, &via, &direct, samples);
    if (sustained(&env, &proxy, message, concurrency, rounds) == 0)
        rc = 0;
out:
    bench_client_free(&via.client);
    bench_client_free(&direct.client);
    bench_client_free(&fresh.client);
    bench_client_free(&bare.client);
    bench_client_free(&gated.client);
    for (int k = 0; k < SIDES; k++)
        bench_samples_free(&sides[k]->first_byte_us);
    bench_proxy_stop(&gated_ref);
    bench_proxy_stop(&bare_ref);
    if (body_path[0])
        unlink(body_path);
    bench_proxy_stop(&proxy);
    bench_env_stop(&env);
    free(message);
    free(kiro);
    curl_global_cleanup();
    return rc;
}
