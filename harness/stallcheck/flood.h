/* flood.h: the requests that build the fault, sent from a background thread.
 *
 * In the incident one large /v1/messages request was logged in full and filled the pipe; the
 * handler then blocked in write(2) holding the logger's lock, so its own response never came.
 * The trigger therefore runs on its own thread, each request under its own bound
 * (--trigger-timeout-ms), while the main thread watches the pipe.
 *
 * Two kinds of request go out, at most `concurrency` at a time:
 *   triggers  the --trigger request, --flood N times. The flood stops early when the pipe is full
 *             by the kernel's measure (pipe_full) or when a trigger got no answer within its
 *             bound (the server has stopped: more cannot help).
 *   fill      small requests (a rotation given by the caller: the trigger with a small body, the
 *             probe routes), sent only while the caller wants them: when the triggers are over
 *             and the pipe is not full yet, the fault is still being built.
 * The caller stops new requests once the fault is established; requests in flight go on (a
 * request hung inside the server is evidence) until flood_finish(). */
#ifndef STALLCHECK_FLOOD_H
#define STALLCHECK_FLOOD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http_batch.h"
#include "string_list.h"
#include "timeline.h"

/* Requests in flight at most (the slots of the flood). */
#define FLOOD_MAX_CONCURRENCY 16

typedef struct flood_request {
    const char *method;
    const char *path;
    const char *body; /* NULL: none */
    size_t body_len;
    const string_list *extra_headers; /* --trigger-header for triggers, may be NULL */
    long timeout_ms;                  /* bound of this request, 0: the flood's */
} flood_request;

/* Tells the flood thread whether the pipe is full already (then no further trigger). */
typedef bool (*flood_pipe_full_fn)(void *ctx);

typedef struct flood_config {
    const char *base_url;
    const string_list *headers; /* -H, on every request */
    long timeout_ms;            /* bound of each request */
    size_t concurrency;         /* 1..FLOOD_MAX_CONCURRENCY */
    flood_request trigger;
    long trigger_count;        /* --flood N */
    const flood_request *fill; /* rotation of fill requests (may be empty) */
    size_t fill_count;
    flood_pipe_full_fn pipe_full;
    void *pipe_full_ctx;
    timeline *tl; /* may be NULL */
} flood_config;

typedef struct flood_counts {
    long sent;
    long answered;  /* an HTTP status came back */
    long timed_out; /* no complete answer within the bound */
    long failed;    /* another transport error (refused, reset, cancelled) */
} flood_counts;

/* A consistent look at the flood, taken under its lock. */
typedef struct flood_snapshot {
    flood_counts triggers;
    flood_counts fill;
    size_t in_flight;
    int64_t oldest_in_flight_ms; /* clock_monotonic_ms() start of the oldest request in flight, 0
                                    when none */
    long answered_total;         /* triggers + fill answered */
    bool triggers_over;          /* every trigger that will be sent has ended */
    bool sending_stopped;        /* flood_stop_sending was called */
    const char *flood_stopped_because; /* "pipe-full", "no-answer", NULL: all sent or not stopped */
    long last_status;                  /* of the last trigger that ended */
    int64_t last_latency_ms;
    unsigned long long last_bytes;
    char last_error[160];
} flood_snapshot;

typedef struct flood_slot {
    http_call call;
    bool in_use;
    bool is_trigger;
    long number; /* the trigger's number, 1-based (0 for fill requests) */
} flood_slot;

typedef struct flood {
    flood_config config;
    pthread_t thread;
    bool started;
    atomic_bool cancel;
    atomic_bool fill_wanted;

    pthread_mutex_t lock; /* guards everything below */
    flood_slot slots[FLOOD_MAX_CONCURRENCY];
    size_t fill_next;
    bool stop_sending;
    bool triggers_stopped; /* no further trigger will be sent */
    bool fill_announced;
    flood_snapshot stats;
} flood;

/* Starts the thread (config is copied; what it points to must outlive the flood). 0 or -1. */
int flood_start(flood *f, const flood_config *config);
/* Fill requests wanted (true) or not (false) from now on. */
void flood_want_fill(flood *f, bool wanted);
/* No new request from now on; those in flight continue. */
void flood_stop_sending(flood *f);
void flood_get_snapshot(flood *f, flood_snapshot *out);
/* Waits up to ms for the requests in flight to end. True when none is left. */
bool flood_wait_idle(flood *f, long ms);
/* Ends every request still in flight and joins the thread. Safe to call when not started. */
void flood_finish(flood *f);

#endif
