/* upstream.h: a Kiro generateAssistantResponse call with failover and retries, driven by the
 * calling request thread.
 *
 * upstream_open() picks a credential and makes attempts (upstream_attempt.h) until one gets a
 * 200 head, each bounded by the connect and first-byte timeouts. What a failed answer means is
 * decided by upstream_classify() (upstream_classify.h): on 401/403 the credential is marked for
 * refresh and the next one is tried; on quota errors it is disabled; on 408/429/5xx and network
 * errors the call is retried with exponential backoff and jitter, a bounded number of times.
 * The body of the successful call then flows through upstream_pump() into the caller's sink.
 * No lock is held while waiting; a client that goes away aborts the call at once.
 *
 * The call sees the proxy only through upstream_ctx: settings, the pool, the refresher to poke,
 * the counters and the shutdown flag. */
#ifndef KIRO_UPSTREAM_H
#define KIRO_UPSTREAM_H

#include <stdatomic.h>
#include <stddef.h>

#include "config/config.h"
#include "creds/credentials.h"
#include "creds/token_refresh.h"
#include "server/metrics.h"
#include "server/upstream_attempt.h"
#include "translate/translate.h"
#include "util/api_error.h"

/* The status of the api_error upstream_open() fills when the client went away meanwhile
 * (nobody is left to answer). */
#define UPSTREAM_CLIENT_GONE_STATUS 499

/* What a call needs from the running proxy. Owned by the caller; outlives every call. */
typedef struct upstream_ctx {
    const proxy_config *cfg;    /* timeouts, retries, identity, base URL */
    cred_pool *pool;            /* credentials to choose from and report outcomes to */
    int only_id;                /* > 0: only this credential of pool (a caller's own) */
    cred_pool *fallback_pool;   /* with only_id: used once that credential is disabled */
    token_refresher *refresher; /* poked when a token is refused; NULL: none */
    metrics *metrics;           /* upstream_* counters */
    const atomic_int *stopping; /* set at shutdown: waits end early */
} upstream_ctx;

/* One request to send. */
typedef struct upstream_request {
    const kiro_request *request;
    upstream_sink sink; /* receives the body of the successful call */
    void *sink_user;
    int client_fd;          /* the client's socket (-1 if unknown) */
    const char *request_id; /* for log lines */
} upstream_request;

typedef struct upstream_call upstream_call;

typedef enum {
    UPSTREAM_MORE,        /* still running (bytes may have been delivered) */
    UPSTREAM_DONE,        /* the body ended and the transfer succeeded */
    UPSTREAM_FAILED,      /* transfer error mid-body (message in the api_error) */
    UPSTREAM_ABORTED,     /* the sink asked to stop */
    UPSTREAM_CLIENT_GONE, /* the client closed its connection */
} upstream_status;

/* Returns the call once a 200 head arrived (caller closes it), or NULL with err filled
 * (err->status UPSTREAM_CLIENT_GONE_STATUS when the client went away meanwhile). */
upstream_call *upstream_open(const upstream_ctx *ctx, const upstream_request *req, api_error *err);

/* Drives the transfer for at most timeout_ms. */
upstream_status upstream_pump(upstream_call *c, int timeout_ms, api_error *err);

/* Credential that served the call (for logs), or -1. */
int upstream_credential_id(const upstream_call *c);

/* Aborts a running transfer (counted as aborted) or releases a finished one. */
void upstream_close(upstream_call *c);

#endif
