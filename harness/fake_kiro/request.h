/* request.h: the state fake-kiro keeps for one HTTP request while it is being handled.
 *
 * server.c creates it on the first callback of a request, gathers the body into it (bounded),
 * hands it to the endpoint handler and frees it from MHD's request-completed notification,
 * which is also where a stream's outcome (completed, aborted, cut) is counted. */
#ifndef FAKE_KIRO_REQUEST_H
#define FAKE_KIRO_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "router.h"
#include "stream.h"
#include "util/buf.h"

/* Largest body fake-kiro keeps; bigger bodies are read, counted and discarded. */
#define FK_MAX_BODY_BYTES (8u * 1024u * 1024u)
#define FK_MAX_PATH_BYTES 2048

typedef struct fk_request {
    fk_endpoint endpoint;
    char method[16];
    char path[FK_MAX_PATH_BYTES];
    kbuf body;
    size_t body_total; /* bytes the client sent, kept or not (saturates) */
    int status;        /* HTTP status queued, 0 before */
    int64_t started_ms;
    int client_fd;     /* the connection's socket, for disconnect checks (-1 unknown) */
    fk_stream *stream; /* set when the response is an event stream */
} fk_request;

/* 1 when the body was larger than FK_MAX_BODY_BYTES and so was not kept whole. */
static inline int fk_request_body_dropped(const fk_request *r)
{
    return r->body_total > r->body.len;
}

#endif
