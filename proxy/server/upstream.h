/* upstream.h: one call to Kiro's generateAssistantResponse over libcurl, with failover and
 * retries, driven by the calling request thread.
 *
 * upstream_open() picks a credential, sends the request with the headers the Kiro IDE sends,
 * and waits - bounded by the connect and first-byte timeouts - for the response head. On
 * 401/403 it marks the credential for refresh and fails over to the next one; on quota errors it
 * disables the credential; on 408/429/5xx and network errors it retries with exponential backoff
 * and jitter, a bounded number of times. It returns once a 200 head arrived (the body then flows
 * through upstream_pump() into the caller's sink) or with an API-shaped error.
 * No lock is held while waiting; the client's socket is watched so that a client that goes away
 * aborts the upstream transfer at once. */
#ifndef KIRO_UPSTREAM_H
#define KIRO_UPSTREAM_H

#include <stddef.h>

#include "translate/translate.h"
#include "util/api_error.h"

struct app;

/* Receives body bytes of a successful call. Returns 0 to go on, -1 to abort the transfer. */
typedef int (*upstream_sink)(void *user, const char *data, size_t len);

typedef struct upstream_call upstream_call;

typedef enum {
    UPSTREAM_MORE,        /* still running (bytes may have been delivered) */
    UPSTREAM_DONE,        /* the body ended and the transfer succeeded */
    UPSTREAM_FAILED,      /* transfer error mid-body (message in the api_error) */
    UPSTREAM_ABORTED,     /* the sink asked to stop */
    UPSTREAM_CLIENT_GONE, /* the client closed its connection */
} upstream_status;

/* client_fd: the client's socket (-1 if unknown). request_id: for log lines.
 * Returns NULL with err filled, and *client_gone set when the client went away meanwhile. */
upstream_call *upstream_open(struct app *a, const kiro_request *request, upstream_sink sink,
                             void *sink_user, int client_fd, const char *request_id,
                             api_error *err, int *client_gone);

/* Drives the transfer for at most timeout_ms. */
upstream_status upstream_pump(upstream_call *c, int timeout_ms, api_error *err);

/* Credential that served the call (for logs), or -1. */
int upstream_credential_id(const upstream_call *c);

/* Aborts a running transfer (counted as aborted) or releases a finished one. */
void upstream_close(upstream_call *c);

#endif
