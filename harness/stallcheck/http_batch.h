/* http_batch.h: HTTP requests run concurrently, each under its own deadline.
 *
 * Readiness, the trigger and the probes all need the same thing: send requests, never wait
 * longer than a deadline, and record what came back (status, bytes, latency, whether the
 * deadline was missed). libcurl's multi interface does the concurrency in one thread; every
 * handle has CURLOPT_TIMEOUT_MS, and the loop itself enforces the deadline a second time so that
 * a misbehaving transfer can never hold the harness. Two forms: a fixed batch (probes,
 * readiness), and an open-ended stream that asks its owner for the next request whenever a slot
 * is free (the flood that builds the fault). */
#ifndef STALLCHECK_HTTP_BATCH_H
#define STALLCHECK_HTTP_BATCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "string_list.h"

typedef struct http_call {
    /* request */
    const char *method;
    const char *path;
    const char *body;          /* NULL: no body */
    size_t body_len;
    const string_list *headers;       /* "Name: value", may be NULL */
    const string_list *extra_headers; /* a second list (e.g. trigger-only), may be NULL */
    long deadline_ms;
    char *body_out;            /* when not NULL: the response body is kept here (NUL-terminated) */
    size_t body_out_cap;       /* size of body_out; longer bodies are cut */
    size_t body_out_len;

    /* result */
    int64_t started_ms;        /* clock_monotonic_ms() when it went out (kept when the owner set it) */
    bool answered;             /* an HTTP status line came back */
    long status;               /* HTTP status, 0 when none */
    unsigned long long bytes;  /* header + body bytes received */
    int64_t latency_ms;        /* until complete, or until given up */
    bool timed_out;            /* the deadline passed first */
    char error[160];           /* transport error, "" when none */
} http_call;

/* Must be called once before any other thread exists (curl_global_init). */
int http_global_init(void);
void http_global_cleanup(void);

/* Runs calls[0..n-1] concurrently against base_url ("http://host:port"). Returns when every call
 * has finished or missed its deadline, or soon after *cancel becomes true (remaining calls are
 * then marked with the error "cancelled"). */
void http_batch_run(const char *base_url, http_call *calls, size_t n, const atomic_bool *cancel);

/* An open-ended set of requests with at most max_in_flight at once. The loop turns about every
 * 10 ms; at each turn it asks next() for new calls while a slot is free (NULL: none now), calls
 * done() for every call that ended (answered, failed or past its deadline), and asks
 * keep_going() whether to go on. The calls belong to the owner and must stay valid until their
 * done(). When keep_going() returns false or *cancel becomes true, calls still running end with
 * the error "cancelled" (done() is called for them) and the function returns. */
typedef struct http_stream {
    size_t max_in_flight;
    http_call *(*next)(void *ctx);
    void (*done)(void *ctx, http_call *call);
    bool (*keep_going)(void *ctx, size_t in_flight);
    void *ctx;
} http_stream;

void http_stream_run(const char *base_url, const http_stream *stream, const atomic_bool *cancel);

#endif
