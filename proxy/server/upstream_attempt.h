/* upstream_attempt.h: one HTTP call to generateAssistantResponse with one credential, over a
 * curl multi handle that the calling request thread drives itself (a slow upstream only ever
 * occupies the thread of the request that asked for it).
 *
 * An attempt sends the body with the account's profileArn and the headers the Kiro IDE sends,
 * then is driven in slices: until its response head arrives (upstream_attempt_wait_head), and
 * after that either through its body into the sink (200) or to the end of a small capped error
 * body. The client's socket is watched while driving, so that a client that goes away aborts
 * the transfer at once. No lock is held anywhere in here. */
#ifndef KIRO_UPSTREAM_ATTEMPT_H
#define KIRO_UPSTREAM_ATTEMPT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "creds/credentials.h"
#include "translate/translate.h"

/* Receives body bytes of a successful call. Returns 0 to go on, -1 to abort the transfer. */
typedef int (*upstream_sink)(void *user, const char *data, size_t len);

typedef struct upstream_attempt upstream_attempt;

typedef struct upstream_attempt_params {
    const proxy_config *cfg; /* identity headers, base URL, connect timeout */
    const kiro_request *request;
    const cred_snapshot *cred;
    upstream_sink sink; /* gets the body of a 200 answer */
    void *sink_user;
    int client_fd; /* the client's socket, -1 if unknown */
    int attempt;   /* 1-based, for amz-sdk-request */
    int max_attempts;
} upstream_attempt_params;

/* Starts the call (nothing is sent before the first drive). NULL when it cannot be set up. */
upstream_attempt *upstream_attempt_start(const upstream_attempt_params *p);
void upstream_attempt_free(upstream_attempt *t);

/* Runs the transfer for up to timeout_ms, returning early on progress. */
void upstream_attempt_drive(upstream_attempt *t, int timeout_ms);

/* Drives until the response head arrived, the transfer ended, the client left, `stopping` was
 * set or timeout_ms passed. Returns 1 when a head (or the end) came. */
int upstream_attempt_wait_head(upstream_attempt *t, int timeout_ms, const atomic_int *stopping);

/* Reads the rest of a failed answer's (capped) body, for at most timeout_ms. */
void upstream_attempt_finish_error_body(upstream_attempt *t, int timeout_ms);

/* State of the attempt. */
long upstream_attempt_status(const upstream_attempt *t); /* 0 until a head came */
int upstream_attempt_done(const upstream_attempt *t);    /* the transfer ended */
int upstream_attempt_ok(const upstream_attempt *t);      /* ended without a transport error */
int upstream_attempt_client_gone(const upstream_attempt *t);
int upstream_attempt_sink_failed(const upstream_attempt *t);
/* The error body of a non-200 answer (capped at 64 KiB). */
const char *upstream_attempt_error_body(const upstream_attempt *t, size_t *len);
/* The transport error text (curl's message). */
const char *upstream_attempt_transport_error(const upstream_attempt *t);

/* 1 when the client closed its connection (EOF or reset on its socket). Never blocks. */
int upstream_client_closed(int fd);

#endif
