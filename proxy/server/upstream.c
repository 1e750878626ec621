/* upstream.c: the attempt loop (failover, retries, backoff, timeouts) and the body pump; see
 * upstream.h. One attempt is upstream_attempt.c; what its answer means is upstream_classify.c. */
#include "server/upstream.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "log/log.h"
#include "server/cred_choice.h"
#include "server/upstream_classify.h"
#include "util/clock.h"
#include "util/random.h"

#define BACKOFF_CAP_MS 8000
#define ERROR_BODY_WAIT_MS 5000

struct upstream_call {
    const upstream_ctx *ctx;
    upstream_attempt *transfer;
    int cred_id;
    char request_id[40];
};

/* The state of one upstream_open(): credentials tried, retries made, the error to give when
 * everything has failed. */
typedef struct call_loop {
    const upstream_ctx *ctx;
    const upstream_request *req;
    cred_choice choice; /* which credential next (the caller's own, the pool, the fallback) */
    int retries;
    int max_attempts;
    api_error last;
} call_loop;

static int client_gone_error(api_error *err)
{
    return api_error_set(err, UPSTREAM_CLIENT_GONE_STATUS, "api_error",
                         "client closed the connection");
}

/* Waits (interruptibly) for ms; returns 1 when the client went away meanwhile. */
static int backoff_wait(const upstream_ctx *ctx, int client_fd, int ms)
{
    int64_t end = clock_monotonic_ms() + ms;
    for (;;) {
        int64_t left = end - clock_monotonic_ms();
        if (left <= 0 || atomic_load(ctx->stopping))
            return 0;
        int slice = (int)(left > 100 ? 100 : left);
        if (client_fd < 0) {
            sleep_ms(slice);
            continue;
        }
        struct pollfd p = {client_fd, POLLIN, 0};
        if (poll(&p, 1, slice) > 0 && upstream_client_closed(client_fd))
            return 1;
    }
}

static int backoff_ms(const proxy_config *cfg, int retry)
{
    long base = cfg->retry_base_ms > 0 ? cfg->retry_base_ms : 250;
    long d = base << (retry < 10 ? retry : 10);
    if (d > BACKOFF_CAP_MS)
        d = BACKOFF_CAP_MS;
    return (int)(d / 2 + (long)random_below((uint64_t)d / 2 + 1)); /* "equal jitter" */
}

/* No credential is left to try: the last failure, or why nothing could be tried. */
static void no_credential(call_loop *l, cred_choice_result why, api_error *err)
{
    if (why == CRED_CHOICE_TRIED_ALL) {
        *err = l->last;
    } else if (why == CRED_CHOICE_OWN_DUE) {
        api_error_set(err, 503, "api_error",
                      "the credential of this activation code has no valid access token now (a "
                      "refresh is due); try again shortly");
    } else {
        api_error_set(err, 503, "api_error",
                      "no usable Kiro credential: %zu loaded, none enabled with a valid access "
                      "token (see GET /api/admin/credentials)",
                      cred_pool_count(cred_choice_pool(&l->choice)));
    }
}

/* Acts on a failed answer. Returns 1 to make another attempt, 0 with err filled to stop. */
static int after_failure(call_loop *l, const cred_snapshot *cred, long status,
                         const upstream_answer_class *k, api_error *err)
{
    const upstream_ctx *ctx = l->ctx;
    const char *id = l->req->request_id;
    switch (k->verdict) {
    case UPSTREAM_VERDICT_FAIL_OVER:
        cred_pool_report(cred_choice_pool(&l->choice), cred->id, k->outcome, k->message);
        if (!k->quota && ctx->refresher)
            token_refresher_poke(ctx->refresher);
        cred_choice_exclude(&l->choice, cred->id);
        atomic_fetch_add(&ctx->metrics->upstream_failovers, 1);
        LOG_WARN("[UPSTREAM] id=%s cred=%d status=%ld %s: trying another credential (%s)", id,
                 cred->id, status, k->quota ? "quota exhausted" : "rejected", k->message);
        l->last = k->error;
        return 1;
    case UPSTREAM_VERDICT_RETRY: {
        cred_pool_report(cred_choice_pool(&l->choice), cred->id, k->outcome, k->message);
        l->last = k->error;
        if (l->retries >= ctx->cfg->max_retries) {
            LOG_WARN("[UPSTREAM] id=%s cred=%d status=%ld: giving up after %d retries (%s)", id,
                     cred->id, status, l->retries, k->message);
            *err = l->last;
            return 0;
        }
        int wait = backoff_ms(ctx->cfg, l->retries);
        l->retries++;
        atomic_fetch_add(&ctx->metrics->upstream_retries, 1);
        LOG_WARN("[UPSTREAM] id=%s cred=%d status=%ld: retry %d/%d in %d ms (%s)", id, cred->id,
                 status, l->retries, ctx->cfg->max_retries, wait, k->message);
        if (backoff_wait(ctx, l->req->client_fd, wait)) {
            client_gone_error(err);
            return 0;
        }
        return 1;
    }
    case UPSTREAM_VERDICT_FATAL:
    case UPSTREAM_VERDICT_OK:
        break;
    }
    LOG_WARN("[UPSTREAM] id=%s cred=%d status=%ld: request rejected (%s)", id, cred->id, status,
             k->message);
    *err = k->error;
    return 0;
}

/* One attempt with cred. Returns the call on a 200 head; NULL with *again (try once more) or
 * with err filled. */
static upstream_call *attempt(call_loop *l, const cred_snapshot *cred, int *again, api_error *err)
{
    const upstream_ctx *ctx = l->ctx;
    const upstream_request *req = l->req;
    *again = 0;
    upstream_attempt_params params = {
        .cfg = ctx->cfg,
        .request = req->request,
        .cred = cred,
        .sink = req->sink,
        .sink_user = req->sink_user,
        .client_fd = req->client_fd,
        .attempt = l->retries + 1,
        .max_attempts = l->max_attempts,
    };
    upstream_attempt *t = upstream_attempt_start(&params);
    if (!t) {
        api_error_set(err, 500, "api_error", "cannot start the upstream request");
        return NULL;
    }
    atomic_fetch_add(&ctx->metrics->upstream_calls, 1);
    int answered = upstream_attempt_wait_head(t, ctx->cfg->first_byte_timeout_ms, ctx->stopping);
    if (upstream_attempt_client_gone(t)) {
        atomic_fetch_add(&ctx->metrics->upstream_aborted, 1);
        upstream_attempt_free(t);
        client_gone_error(err);
        return NULL;
    }
    if (!answered) {
        atomic_fetch_add(&ctx->metrics->upstream_errors, 1);
        LOG_WARN("[UPSTREAM] id=%s cred=%d no response within %d ms: giving up", req->request_id,
                 cred->id, ctx->cfg->first_byte_timeout_ms);
        upstream_attempt_free(t);
        api_error_set(err, 504, "timeout_error", "the upstream sent no response within %d ms",
                      ctx->cfg->first_byte_timeout_ms);
        return NULL;
    }
    long status = upstream_attempt_status(t);
    if (status == 200) {
        cred_pool_report(cred_choice_pool(&l->choice), cred->id, CRED_OUTCOME_OK, NULL);
        upstream_call *c = calloc(1, sizeof *c);
        if (!c) {
            upstream_attempt_free(t);
            api_error_set(err, 500, "api_error", "out of memory");
            return NULL;
        }
        c->ctx = ctx;
        c->transfer = t;
        c->cred_id = cred->id;
        snprintf(c->request_id, sizeof c->request_id, "%s", req->request_id);
        return c;
    }
    /* A failed attempt: read the whole (small, capped) error body, bounded in time. */
    upstream_attempt_finish_error_body(t, ERROR_BODY_WAIT_MS);
    atomic_fetch_add(&ctx->metrics->upstream_errors, 1);
    size_t body_len;
    const char *body = upstream_attempt_error_body(t, &body_len);
    upstream_answer_class k;
    upstream_classify(status, body, body_len, upstream_attempt_transport_error(t), &k);
    upstream_attempt_free(t);
    *again = after_failure(l, cred, status, &k, err);
    return NULL;
}

upstream_call *upstream_open(const upstream_ctx *ctx, const upstream_request *req, api_error *err)
{
    call_loop l = {.ctx = ctx, .req = req, .max_attempts = ctx->cfg->max_retries + 1};
    cred_choice_init(&l.choice, ctx);
    api_error_set(&l.last, 503, "api_error", "no usable Kiro credential");
    for (int n = 1; n <= l.max_attempts + CRED_CHOICE_MAX_EXCLUDED; n++) {
        if (atomic_load(ctx->stopping)) {
            api_error_set(err, 503, "overloaded_error", "the proxy is shutting down");
            return NULL;
        }
        cred_snapshot cred;
        cred_choice_result got = cred_choice_next(&l.choice, &cred);
        if (got != CRED_CHOICE_OK) {
            no_credential(&l, got, err);
            return NULL;
        }
        int again;
        upstream_call *c = attempt(&l, &cred, &again, err);
        if (c || !again)
            return c;
    }
    *err = l.last;
    return NULL;
}

upstream_status upstream_pump(upstream_call *c, int timeout_ms, api_error *err)
{
    upstream_attempt *t = c->transfer;
    if (!upstream_attempt_done(t) && !upstream_attempt_sink_failed(t))
        upstream_attempt_drive(t, timeout_ms);
    if (upstream_attempt_client_gone(t))
        return UPSTREAM_CLIENT_GONE;
    if (upstream_attempt_sink_failed(t))
        return UPSTREAM_ABORTED;
    if (!upstream_attempt_done(t))
        return UPSTREAM_MORE;
    if (upstream_attempt_ok(t))
        return UPSTREAM_DONE;
    atomic_fetch_add(&c->ctx->metrics->upstream_errors, 1);
    api_error_set(err, 502, "api_error", "the upstream connection failed mid-response: %s",
                  upstream_attempt_transport_error(t));
    return UPSTREAM_FAILED;
}

int upstream_credential_id(const upstream_call *c)
{
    return c ? c->cred_id : -1;
}

void upstream_close(upstream_call *c)
{
    if (!c)
        return;
    if (!upstream_attempt_done(c->transfer)) {
        atomic_fetch_add(&c->ctx->metrics->upstream_aborted, 1);
        LOG_INFO("[UPSTREAM] id=%s transfer aborted before its end", c->request_id);
    }
    upstream_attempt_free(c->transfer);
    free(c);
}
