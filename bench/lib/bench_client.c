/* bench_client.c: timed single requests; see bench_client.h. */
#include "bench_client.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"

enum { BODY_KEEP_MAX = 4 << 20 };

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    bench_client *c = userdata;
    size_t n = size * nmemb;
    if (c->first_byte_us == 0 && n > 0)
        c->first_byte_us = clock_monotonic_us();
    if (!c->keep_body || c->body_len + n > BODY_KEEP_MAX)
        return n;
    if (c->body_len + n + 1 > c->body_cap) {
        size_t cap = (c->body_len + n + 1) * 2;
        char *grown = realloc(c->body, cap);
        if (!grown)
            return 0;
        c->body = grown;
        c->body_cap = cap;
    }
    memcpy(c->body + c->body_len, data, n);
    c->body_len += n;
    c->body[c->body_len] = '\0';
    return n;
}

int bench_client_init(bench_client *c, const char *const *headers, int fresh_connections,
                      int keep_body)
{
    memset(c, 0, sizeof *c);
    CURL *e = curl_easy_init();
    if (!e)
        return -1;
    struct curl_slist *list = curl_slist_append(NULL, "Expect:");
    for (size_t i = 0; headers && headers[i]; i++)
        list = curl_slist_append(list, headers[i]);
    c->easy = e;
    c->header_list = list;
    c->keep_body = keep_body;
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    if (fresh_connections) {
        curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    }
    return 0;
}

void bench_client_free(bench_client *c)
{
    if (c->easy)
        curl_easy_cleanup(c->easy);
    curl_slist_free_all(c->header_list);
    free(c->body);
    memset(c, 0, sizeof *c);
}

int bench_client_request(bench_client *c, const char *url, const char *body, size_t body_len,
                         int timeout_ms, bench_timing *t)
{
    CURL *e = c->easy;
    memset(t, 0, sizeof *t);
    c->body_len = 0;
    if (c->body)
        c->body[0] = '\0';
    curl_easy_setopt(e, CURLOPT_URL, url);
    if (body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    } else {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
    c->first_byte_us = 0;
    c->start_us = clock_monotonic_us();
    CURLcode rc = curl_easy_perform(e);
    int64_t end_us = clock_monotonic_us();
    t->curl_code = (int)rc;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &t->status);
    t->total_us = (double)(end_us - c->start_us);
    t->first_byte_us = c->first_byte_us ? (double)(c->first_byte_us - c->start_us) : t->total_us;
    return rc == CURLE_OK && t->status > 0 ? 0 : -1;
}

const char *bench_client_body(const bench_client *c)
{
    return c->body ? c->body : "";
}
