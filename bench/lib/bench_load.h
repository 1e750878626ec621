/* bench_load.h: a closed-loop HTTP load generator on libcurl's multi interface.
 *
 * `connections` requests are in flight at all times: as soon as one completes, its handle is
 * started again, on the same keep-alive connection (or a fresh one when fresh_connections is
 * set). It stops starting requests after `seconds` or after `requests`, whichever comes first,
 * lets the ones in flight finish, and reports completed and failed requests, the elapsed time
 * and, optionally, each request's latency. One thread, one code path on Linux and macOS; it
 * shares the machine with the server it measures, which is why benches compare ratios of two
 * runs made the same way. */
#ifndef KIRO_BENCH_LOAD_H
#define KIRO_BENCH_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "bench_stats.h"

typedef struct bench_request {
    const char *url;
    const char *body;           /* NULL: GET; otherwise POSTed */
    size_t body_len;
    const char *const *headers; /* "Name: value", NULL-terminated; may be NULL */
} bench_request;

typedef struct bench_load_options {
    int connections;
    double seconds;          /* 0: no time limit */
    uint64_t requests;       /* 0: no count limit */
    int timeout_ms;          /* per request */
    long expect_status;      /* 0: any 2xx */
    const char *expect_text; /* when set, every body must contain it (bodies are kept) */
    int record_latency;      /* microseconds, into result->latency_us */
    int fresh_connections;
} bench_load_options;

typedef struct bench_load_result {
    uint64_t started, completed, failed; /* failed: transport error, status or body */
    double elapsed_s;
    bench_samples latency_us;
    char first_failure[192];
} bench_load_result;

/* Returns 0 when the run happened (check failed), -1 when it could not start. Free the
 * result with bench_load_result_free(). */
int bench_load_run(const bench_request *request, const bench_load_options *options,
                   bench_load_result *result);
void bench_load_result_free(bench_load_result *result);

/* Common header lists. */
extern const char *const bench_api_headers[];  /* x-api-key, JSON, anthropic-version */

#endif
