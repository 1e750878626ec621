/* scale.c: bench-scale, figure 8: what each concurrent stream costs the proxy, and whether
 * /v1/models stays quick meanwhile.
 *
 * kiro-proxy-async (info level, log pipe drained) in front of fake-kiro, which is switched to
 * stream slowly (16-byte frames 100 ms apart: a stream would last about a minute). For 1, 10,
 * 100 and 500 concurrent streaming clients (POST /v1/messages, stream:true, held open by one
 * libcurl multi thread of this program), once the proxy's kiro_streams_active gauge shows them
 * all: the proxy's resident size and thread count, and 200 GET /v1/models on a keep-alive
 * connection (p50/p99/max); then the streams are cut and the gauge must fall back to 0 before
 * the next level. The same figures with no stream are the baseline: the rows give the cost per
 * stream over it (RSS and threads), and the last row how that cost and the p99 grow with the
 * number of streams. Target: every stream established, no failed probe; the growth is shown.
 *
 *   bench-scale [--levels 1,10,100,500] [--probes N] */
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_bodies.h"
#include "bench_client.h"
#include "bench_load.h"
#include "bench_rows.h"
#include "bench_scrape.h"
#include "bench_stack.h"
#include "bench_stats.h"
#include "bench_watchdog.h"
#include "http.h"
#include "util/clock.h"

enum {
    LEVELS_MAX = 8,
    STREAMS_MAX = 500,
    REQUEST_TIMEOUT_MS = 10000,
    SETTLE_TIMEOUT_MS = 30000,
    WATCHDOG_S = 170
};

#define SECTION "8 scale"
#define SLOW_STREAM_FAULTS "{\"reply_bytes\":8192,\"frame_bytes\":16,\"slow_ms\":100}"

/* ---- streams held open by one thread ---- */

typedef struct holder {
    pthread_t thread;
    const char *url, *body;
    int count;
    atomic_int stop;
    atomic_int failed; /* transfers that ended before they were cut */
    int started;
} holder;

static size_t discard(char *data, size_t size, size_t n, void *user)
{
    (void)data;
    (void)user;
    return size * n;
}

static void *hold_streams(void *arg)
{
    holder *h = arg;
    CURLM *multi = curl_multi_init();
    CURL *easy[STREAMS_MAX];
    struct curl_slist *headers = NULL;
    for (int i = 0; bench_api_headers[i]; i++)
        headers = curl_slist_append(headers, bench_api_headers[i]);
    int n = 0;
    for (; multi && n < h->count; n++) {
        easy[n] = curl_easy_init();
        if (!easy[n])
            break;
        curl_easy_setopt(easy[n], CURLOPT_URL, h->url);
        curl_easy_setopt(easy[n], CURLOPT_POSTFIELDS, h->body);
        curl_easy_setopt(easy[n], CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(easy[n], CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(easy[n], CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(easy[n], CURLOPT_CONNECTTIMEOUT_MS, (long)REQUEST_TIMEOUT_MS);
        curl_multi_add_handle(multi, easy[n]);
    }
    h->started = n;
    int running = n;
    while (running > 0 && !atomic_load(&h->stop)) {
        curl_multi_perform(multi, &running);
        curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    /* Transfers that finished on their own were not held for the whole measurement. */
    int left;
    CURLMsg *m;
    while ((m = curl_multi_info_read(multi, &left)))
        if (m->msg == CURLMSG_DONE)
            atomic_fetch_add(&h->failed, 1);
    for (int i = 0; i < n; i++) {
        curl_multi_remove_handle(multi, easy[i]); /* cuts the stream: the client goes away */
        curl_easy_cleanup(easy[i]);
    }
    curl_slist_free_all(headers);
    if (multi)
        curl_multi_cleanup(multi);
    return NULL;
}

/* ---- one level ---- */

typedef struct level {
    int streams;
    int established; /* 1 when the gauge reached the count */
    long rss, threads;
    double p50, p99, max;
    long probe_failures;
    int cut_failed; /* streams that ended early */
    int drained;    /* the gauge fell back to 0 */
} level;

/* Waits until the proxy's kiro_streams_active equals want. */
static int wait_streams(const bench_proxy *proxy, double want)
{
    int64_t end = clock_monotonic_ms() + SETTLE_TIMEOUT_MS;
    while (clock_monotonic_ms() < end) {
        if (bench_metric(proxy->url, "kiro_streams_active") == want)
            return 1;
        sleep_ms(50);
    }
    return 0;
}

static void probe(const bench_proxy *proxy, int probes, level *l)
{
    bench_client client;
    bench_samples us = {0};
    char url[128];
    snprintf(url, sizeof url, "%s/v1/models", proxy->url);
    if (bench_client_init(&client, bench_api_headers, 0, 0) != 0) {
        l->probe_failures = probes;
        return;
    }
    for (int i = 0; i < probes; i++) {
        bench_timing t;
        if (bench_client_request(&client, url, NULL, 0, REQUEST_TIMEOUT_MS, &t) != 0 ||
            t.status != 200)
            l->probe_failures++;
        bench_samples_add(&us, t.total_us);
    }
    bench_client_free(&client);
    l->p50 = bench_percentile(&us, 50) / 1000;
    l->p99 = bench_percentile(&us, 99) / 1000;
    l->max = bench_max(&us) / 1000;
    bench_samples_free(&us);
}

static void sample_process(const bench_proxy *proxy, level *l)
{
    long rss = bench_resident_bytes(proxy->pid), threads = bench_thread_count(proxy->pid);
    if (rss > l->rss)
        l->rss = rss;
    if (threads > l->threads)
        l->threads = threads;
}

static int run_level(const bench_proxy *proxy, const char *url, const char *body, int probes,
                     level *l)
{
    holder h = {.url = url, .body = body, .count = l->streams};
    atomic_init(&h.stop, 0);
    atomic_init(&h.failed, 0);
    if (l->streams > 0 && pthread_create(&h.thread, NULL, hold_streams, &h) != 0)
        return -1;
    l->established = l->streams == 0 || wait_streams(proxy, l->streams);
    sample_process(proxy, l);
    probe(proxy, probes, l);
    sample_process(proxy, l);
    if (l->streams > 0) {
        atomic_store(&h.stop, 1);
        pthread_join(h.thread, NULL);
        l->cut_failed = atomic_load(&h.failed) + (l->streams - h.started);
    }
    l->drained = wait_streams(proxy, 0);
    return 0;
}

/* ---- report ---- */

static double per_stream(double value, double idle, int streams)
{
    return streams > 0 ? (value - idle) / streams : 0;
}

static void report(const level *idle, const level *levels, int count, int probes)
{
    bench_row("scale.idle", SECTION, "no stream: resident size, threads, GET /v1/models",
              bench_verdict(idle->probe_failures == 0), "0 failed",
              "RSS %.1f MiB, %ld threads; /v1/models p50 / p99 / max %.2f / %.2f / %.2f ms over "
              "%d probes, %ld failed",
              (double)idle->rss / 1048576, idle->threads, idle->p50, idle->p99, idle->max, probes,
              idle->probe_failures);
    for (int i = 0; i < count; i++) {
        const level *l = &levels[i];
        char id[64], figure[128];
        snprintf(id, sizeof id, "scale.%d", l->streams);
        snprintf(figure, sizeof figure, "%d concurrent slow stream%s: cost, /v1/models meanwhile",
                 l->streams, l->streams == 1 ? "" : "s");
        int ok = l->established && l->probe_failures == 0 && l->cut_failed == 0 && l->drained;
        bench_row(id, SECTION, figure, bench_verdict(ok),
                  "all established and held, 0 failed probes",
                  "RSS %.1f MiB (%+.0f KiB per stream), %ld threads (%+.2f per stream), "
                  "/v1/models p99 %.2f ms (%.2fx idle); p50 / p99 / max %.2f / %.2f / %.2f ms; "
                  "%s, %d ended early, %ld probes failed, %s after the cut",
                  (double)l->rss / 1048576,
                  per_stream((double)l->rss, (double)idle->rss, l->streams) / 1024, l->threads,
                  per_stream((double)l->threads, (double)idle->threads, l->streams), l->p99,
                  bench_ratio(l->p99, idle->p99), l->p50, l->p99, l->max,
                  l->established ? "all established" : "NOT all established", l->cut_failed,
                  l->probe_failures, l->drained ? "gauge back to 0" : "gauge NOT back to 0");
        char key[96];
        snprintf(key, sizeof key, "%s.rss_per_stream_kib", id);
        bench_num(key, per_stream((double)l->rss, (double)idle->rss, l->streams) / 1024);
        snprintf(key, sizeof key, "%s.threads_per_stream", id);
        bench_num(key, per_stream((double)l->threads, (double)idle->threads, l->streams));
        snprintf(key, sizeof key, "%s.p99_ms", id);
        bench_num(key, l->p99);
    }
    /* How the cost grows: per-stream figures side by side, and the p99 against idle. */
    char text[1024];
    size_t used = 0;
    for (int i = 0; i < count && used < sizeof text; i++) {
        const level *l = &levels[i];
        int n =
            snprintf(text + used, sizeof text - used,
                     "%s%d: %.0f KiB + %.2f threads per stream, p99 %.2fx idle", i ? "; " : "",
                     l->streams, per_stream((double)l->rss, (double)idle->rss, l->streams) / 1024,
                     per_stream((double)l->threads, (double)idle->threads, l->streams),
                     bench_ratio(l->p99, idle->p99));
        used += n > 0 ? (size_t)n : 0;
    }
    bench_row("scale.growth", SECTION, "how the cost grows with the number of streams", BENCH_INFO,
              "(flat per-stream cost = linear growth)", "%s", text);
}

static int parse_levels(const char *text, int *levels)
{
    int count = 0;
    const char *p = text;
    while (*p && count < LEVELS_MAX) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < 1 || v > STREAMS_MAX)
            return -1;
        levels[count++] = (int)v;
        p = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return -1;
    }
    return count;
}

int main(int argc, char **argv)
{
    int streams[LEVELS_MAX] = {1, 10, 100, 500};
    int count = 4, probes = 500;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--levels") && v) {
            count = parse_levels(v, streams), i++;
        } else if (!strcmp(argv[i], "--probes") && v) {
            probes = atoi(v), i++;
        } else {
            count = -1;
            break;
        }
    }
    if (count < 1 || probes < 10) {
        fprintf(stderr, "usage: bench-scale [--levels N,N,... (1..%d)] [--probes N (>= 10)]\n",
                STREAMS_MAX);
        return 2;
    }
    bench_watchdog_start(argv[0], WATCHDOG_S);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    char *body = bench_stream_message();
    bench_env env;
    if (!body || bench_env_start(&env, NULL) != 0)
        return 1;
    bench_proxy proxy;
    bench_proxy_options po = {.binary = "kiro-proxy-async", .sink = BENCH_SINK_DRAINED};
    int rc = 1;
    char url[128];
    tp_response fr = {0};
    if (bench_proxy_start(&proxy, &env, &po) != 0)
        goto out;
    snprintf(url, sizeof url, "%s/__fake/faults", env.fake_url);
    if (tp_http("POST", url, NULL, SLOW_STREAM_FAULTS, strlen(SLOW_STREAM_FAULTS),
                REQUEST_TIMEOUT_MS, &fr) != 0 ||
        fr.status != 200) {
        fprintf(stderr, "bench-scale: fake-kiro refused %s\n", SLOW_STREAM_FAULTS);
        goto out;
    }
    snprintf(url, sizeof url, "%s/v1/messages", proxy.url);
    level idle = {0};
    level levels[LEVELS_MAX];
    memset(levels, 0, sizeof levels);
    level warm = {0};
    if (run_level(&proxy, url, body, 20, &warm) != 0 ||
        run_level(&proxy, url, body, probes, &idle) != 0)
        goto out;
    for (int i = 0; i < count; i++) {
        levels[i].streams = streams[i];
        if (run_level(&proxy, url, body, probes, &levels[i]) != 0)
            goto out;
        fprintf(stderr, "bench-scale: %d streams: RSS %.1f MiB, %ld threads, p99 %.2f ms\n",
                streams[i], (double)levels[i].rss / 1048576, levels[i].threads, levels[i].p99);
    }
    report(&idle, levels, count, probes);
    rc = 0;
out:
    tp_response_free(&fr);
    bench_proxy_stop(&proxy);
    bench_env_stop(&env);
    free(body);
    curl_global_cleanup();
    return rc;
}
