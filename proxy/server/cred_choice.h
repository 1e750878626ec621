/* cred_choice.h: which Kiro credential a call tries next, shared by the generateAssistantResponse
 * loop (upstream.c) and the MCP web_search call (web_search.c), so that both serve a caller the
 * same way: from the main pool with failover, or from the caller's own credential
 * (upstream_ctx.only_id: an act-<code> caller) and, once that is disabled (a 402), from the
 * fallback pool; or from a credential the caller brought (its own one-entry pool).
 *
 * A choice lives on the caller's stack for one call. */
#ifndef KIRO_CRED_CHOICE_H
#define KIRO_CRED_CHOICE_H

#include <stddef.h>

#include "creds/credentials.h"
#include "server/upstream.h"

#define CRED_CHOICE_MAX_EXCLUDED 16

typedef struct cred_choice {
    const upstream_ctx *ctx;
    cred_pool *pool; /* where credentials come from now: ctx->pool, or the fallback */
    int only_id;     /* > 0: only this credential of pool */
    int excluded[CRED_CHOICE_MAX_EXCLUDED];
    size_t n_excluded;
} cred_choice;

typedef enum {
    CRED_CHOICE_OK,
    CRED_CHOICE_TRIED_ALL, /* every candidate failed over in this call: the last error stands */
    CRED_CHOICE_NONE,      /* nothing usable to begin with (the refresher has been poked) */
    CRED_CHOICE_OWN_DUE,   /* the caller's own credential waits for its refresh */
} cred_choice_result;

void cred_choice_init(cred_choice *c, const upstream_ctx *ctx);
/* The next credential to try into out. */
cred_choice_result cred_choice_next(cred_choice *c, cred_snapshot *out);
/* After a failover answer for id (reported by the caller to cred_choice_pool()). */
void cred_choice_exclude(cred_choice *c, int id);
/* The pool the last credential came from (to report outcomes to). */
cred_pool *cred_choice_pool(const cred_choice *c);

#endif
