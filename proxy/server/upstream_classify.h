/* upstream_classify.h: what one failed or successful upstream answer means, decided from its
 * status and body alone: go on with it, fail over to another credential, retry after a
 * backoff, or give up. Pure (no I/O, no state), so every rule can be unit-tested; the attempt
 * loop in upstream.c acts on the verdict.
 *
 * The rules (Kiro's answers as seen from kiro-go and real accounts):
 *   200                                   ok
 *   402; 403/429 naming a quota           fail over, the credential's quota is exhausted
 *   401, other 403                        fail over, the token is refused (refresh it)
 *   no answer (0), 408, other 429, 5xx    retry with backoff
 *   anything else (400, 404, ...)         fatal: the request itself was refused */
#ifndef KIRO_UPSTREAM_CLASSIFY_H
#define KIRO_UPSTREAM_CLASSIFY_H

#include <stddef.h>

#include "creds/credentials.h"
#include "util/api_error.h"

typedef enum {
    UPSTREAM_VERDICT_OK,        /* a 200 head: the body is the answer */
    UPSTREAM_VERDICT_FAIL_OVER, /* this credential cannot serve: try another one */
    UPSTREAM_VERDICT_RETRY,     /* transient: back off and try again */
    UPSTREAM_VERDICT_FATAL,     /* the upstream refused the request: answer the client now */
} upstream_verdict;

#define UPSTREAM_MESSAGE_SIZE 400

typedef struct upstream_answer_class {
    upstream_verdict verdict;
    cred_outcome outcome;                /* what to report for the credential (fail over, retry) */
    int quota;                           /* fail over because the quota is exhausted */
    char message[UPSTREAM_MESSAGE_SIZE]; /* short text from the body or the transport error */
    api_error error;                     /* the client's error if this answer is the last word */
} upstream_answer_class;

/* status: the HTTP status, 0 when no answer came (transport_error then says why).
 * body[0..body_len): the (capped) error body, may be NULL. Fills out and returns its verdict. */
upstream_verdict upstream_classify(long status, const char *body, size_t body_len,
                                   const char *transport_error, upstream_answer_class *out);

/* A short one-line message from an upstream error body: its "message" (or "Message") field and
 * "reason", else the raw text; at most 300 characters, control characters as spaces. */
void upstream_error_message(const char *body, size_t body_len, char *out, size_t out_size);

/* 1 when the answer says the account's quota is exhausted (402, or a 403/429 naming
 * MONTHLY_REQUEST_COUNT, QUOTA_EXCEEDED or ServiceQuotaExceeded). */
int upstream_is_quota_error(long status, const char *body, size_t body_len);

#endif
