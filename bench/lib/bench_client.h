/* bench_client.h: one timed HTTP request at a time on a reusable libcurl easy handle.
 *
 * Used where each request is a sample: probes (total time) and streams (time to the first
 * body byte). Times are taken on the monotonic clock around curl_easy_perform(), so they
 * include what a real client pays (connect, request, response). The handle keeps its
 * connection between requests unless fresh_connections is set. */
#ifndef KIRO_BENCH_CLIENT_H
#define KIRO_BENCH_CLIENT_H

#include <stddef.h>
#include <stdint.h>

typedef struct bench_client {
    void *easy; /* CURL * */
    void *header_list;
    int64_t start_us, first_byte_us;
    char *body;
    size_t body_len, body_cap;
    int keep_body;
} bench_client;

typedef struct bench_timing {
    long status;       /* 0 when no answer */
    int curl_code;     /* CURLcode */
    double total_us;   /* request start to the end of the body */
    double first_byte_us; /* request start to the first body byte (total_us when no body) */
} bench_timing;

/* headers: "Name: value", NULL-terminated, may be NULL. keep_body: keep the body (up to 4 MiB)
 * for bench_client_body(). Returns 0 or -1. */
int bench_client_init(bench_client *c, const char *const *headers, int fresh_connections,
                      int keep_body);
void bench_client_free(bench_client *c);

/* GET when body is NULL, POST otherwise. Returns 0 when an HTTP answer arrived. */
int bench_client_request(bench_client *c, const char *url, const char *body, size_t body_len,
                         int timeout_ms, bench_timing *t);

/* The last body (NUL-terminated), or "" when not kept. */
const char *bench_client_body(const bench_client *c);

#endif
