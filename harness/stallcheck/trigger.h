/* trigger.h: the request that makes the server write a lot of log, sent in the background.
 *
 * In the incident one large /v1/messages request was logged in full and filled the pipe; the
 * handler then blocked in write(2) holding the logger's lock, so its own response never came.
 * The trigger therefore runs on its own thread with its own bound (--trigger-timeout-ms), and
 * the main thread starts probing as soon as the pipe is seen full or the trigger is over.
 * With --flood N the trigger is repeated, one at a time, until the pipe is full, a trigger gets no
 * answer within its bound (the server has stopped), or N were sent. */
#ifndef STALLCHECK_TRIGGER_H
#define STALLCHECK_TRIGGER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "string_list.h"

/* Tells the trigger thread whether the pipe is full already (then no further flood request). */
typedef bool (*trigger_pipe_full_fn)(void *ctx);

typedef struct trigger_run {
    /* set before trigger_start */
    const char *base_url;
    const char *method;
    const char *path;
    const char *body;
    size_t body_len;
    const string_list *headers;       /* -H, on every request */
    const string_list *extra_headers; /* --trigger-header */
    long timeout_ms;
    long flood;
    trigger_pipe_full_fn pipe_full;
    void *pipe_full_ctx;

    /* state */
    pthread_t thread;
    bool started;
    atomic_bool finished;
    atomic_bool cancel;

    /* results, valid after trigger_join */
    long sent;                 /* requests sent */
    long answered;             /* of those, answered with an HTTP status */
    long timed_out;            /* of those, still without a complete answer at the bound */
    long last_status;
    int64_t last_latency_ms;
    unsigned long long last_bytes;
    char last_error[160];
    bool stopped_pipe_full;    /* the flood stopped because the pipe was full */
    bool stopped_no_answer;    /* the flood stopped because a trigger got no answer in time */
} trigger_run;

/* The default body: Anthropic messages JSON whose user text is text_bytes long. Owned by the
 * caller (free()). NULL when out of memory. */
char *trigger_default_body(long text_bytes, size_t *len_out);
/* Starts the background thread. Returns 0 or -1. */
int trigger_start(trigger_run *t);
bool trigger_is_finished(trigger_run *t);
/* Waits for the thread; every request is bounded by timeout_ms, so this is bounded too. */
void trigger_join(trigger_run *t);

#endif
