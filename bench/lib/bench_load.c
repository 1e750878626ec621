/* bench_load.c: the libcurl-multi load generator; see bench_load.h. */
#include "bench_load.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_stack.h"
#include "util/clock.h"

enum { BODY_KEEP_MAX = 4 << 20, POLL_MS = 50, FINISH_MARGIN_MS = 5000 };

const char *const bench_api_headers[] = {"x-api-key: " BENCH_API_KEY,
                                         "Content-Type: application/json",
                                         "anthropic-version: 2023-06-01", NULL};

typedef struct slot {
    CURL *easy;
    int64_t started_us;
    char *body; /* kept only when expect_text is set */
    size_t body_len;
    int body_overflow;
    const bench_load_options *options;
} slot;

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    slot *s = userdata;
    size_t n = size * nmemb;
    if (!s->options->expect_text)
        return n;
    if (s->body_len + n > BODY_KEEP_MAX) {
        s->body_overflow = 1;
        return n;
    }
    char *grown = realloc(s->body, s->body_len + n + 1);
    if (!grown)
        return 0;
    memcpy(grown + s->body_len, data, n);
    s->body = grown;
    s->body_len += n;
    s->body[s->body_len] = '\0';
    return n;
}

static struct curl_slist *build_headers(const bench_request *request)
{
    struct curl_slist *list = curl_slist_append(NULL, "Expect:");
    for (size_t i = 0; request->headers && request->headers[i]; i++)
        list = curl_slist_append(list, request->headers[i]);
    return list;
}

static CURL *make_easy(const bench_request *request, const bench_load_options *options,
                       struct curl_slist *headers, slot *s)
{
    CURL *e = curl_easy_init();
    if (!e)
        return NULL;
    curl_easy_setopt(e, CURLOPT_URL, request->url);
    if (request->body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, request->body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)request->body_len);
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(e, CURLOPT_PRIVATE, s);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)options->timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)options->timeout_ms);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    if (options->fresh_connections) {
        curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    }
    return e;
}

static void note_failure(bench_load_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void note_failure(bench_load_result *r, const char *fmt, ...)
{
    r->failed++;
    if (r->first_failure[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->first_failure, sizeof r->first_failure, fmt, ap);
    va_end(ap);
}

/* Checks one finished transfer and records it. */
static void finish_transfer(slot *s, CURLcode code, const bench_load_options *o,
                            bench_load_result *r)
{
    int64_t elapsed_us = clock_monotonic_us() - s->started_us;
    long status = 0;
    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
    if (code != CURLE_OK) {
        note_failure(r, "transport error %ld (%s)", (long)code, curl_easy_strerror(code));
    } else if (o->expect_status ? status != o->expect_status : (status < 200 || status > 299)) {
        note_failure(r, "HTTP status %ld", status);
    } else if (o->expect_text &&
               (s->body_overflow || !s->body || !strstr(s->body, o->expect_text))) {
        note_failure(r, "HTTP %ld body without \"%s\"", status, o->expect_text);
    } else {
        r->completed++;
    }
    if (o->record_latency)
        bench_samples_add(&r->latency_us, (double)elapsed_us);
    free(s->body);
    s->body = NULL;
    s->body_len = 0;
    s->body_overflow = 0;
}

static int may_start(const bench_load_options *o, const bench_load_result *r, int64_t start_us)
{
    if (o->requests && r->started >= o->requests)
        return 0;
    if (o->seconds > 0 && (double)(clock_monotonic_us() - start_us) >= o->seconds * 1e6)
        return 0;
    return 1;
}

static void start_transfer(CURLM *multi, slot *s, bench_load_result *r)
{
    s->started_us = clock_monotonic_us();
    r->started++;
    curl_multi_add_handle(multi, s->easy);
}

int bench_load_run(const bench_request *request, const bench_load_options *o,
                   bench_load_result *r)
{
    memset(r, 0, sizeof *r);
    int n = o->connections > 0 ? o->connections : 1;
    CURLM *multi = curl_multi_init();
    slot *slots = calloc((size_t)n, sizeof *slots);
    struct curl_slist *headers = build_headers(request);
    if (!multi || !slots || !headers) {
        curl_multi_cleanup(multi);
        free(slots);
        curl_slist_free_all(headers);
        return -1;
    }
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)n);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)n);

    int ok = 1;
    for (int i = 0; i < n && ok; i++) {
        slots[i].options = o;
        slots[i].easy = make_easy(request, o, headers, &slots[i]);
        ok = slots[i].easy != NULL;
    }
    int64_t start_us = clock_monotonic_us();
    /* Hard stop: the time limit (10 minutes for runs limited by count only; the program's
     * watchdog is the tighter bound there) plus one request timeout and a margin. */
    int64_t hard_end_us = start_us + (int64_t)(o->seconds > 0 ? o->seconds * 1e6 : 600e6) +
                          (int64_t)(o->timeout_ms + FINISH_MARGIN_MS) * 1000;
    int in_flight = 0;
    for (int i = 0; i < n && ok && may_start(o, r, start_us); i++, in_flight++)
        start_transfer(multi, &slots[i], r);

    while (ok && in_flight > 0) {
        int running = 0;
        curl_multi_perform(multi, &running);
        CURLMsg *msg;
        int queued;
        while ((msg = curl_multi_info_read(multi, &queued)) != NULL) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            slot *s = NULL;
            CURL *easy = msg->easy_handle;
            CURLcode code = msg->data.result;
            curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&s);
            curl_multi_remove_handle(multi, easy);
            finish_transfer(s, code, o, r);
            if (may_start(o, r, start_us))
                start_transfer(multi, s, r);
            else
                in_flight--;
        }
        if (clock_monotonic_us() > hard_end_us) {
            note_failure(r, "run exceeded its deadline with %d requests in flight", in_flight);
            break;
        }
        if (in_flight > 0)
            curl_multi_poll(multi, NULL, 0, POLL_MS, NULL);
    }
    r->elapsed_s = (double)(clock_monotonic_us() - start_us) / 1e6;

    for (int i = 0; i < n; i++) {
        if (!slots[i].easy)
            continue;
        curl_multi_remove_handle(multi, slots[i].easy);
        curl_easy_cleanup(slots[i].easy);
        free(slots[i].body);
    }
    free(slots);
    curl_slist_free_all(headers);
    curl_multi_cleanup(multi);
    return ok ? 0 : -1;
}

void bench_load_result_free(bench_load_result *result)
{
    bench_samples_free(&result->latency_us);
}
