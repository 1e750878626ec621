/* cred_choice.c: the next credential of a call; see cred_choice.h. */
#include "server/cred_choice.h"

#include <time.h>

#include "log/log.h"

void cred_choice_init(cred_choice *c, const upstream_ctx *ctx)
{
    c->ctx = ctx;
    c->pool = ctx->pool;
    c->only_id = ctx->only_id;
    c->n_excluded = 0;
}

static void poke(const cred_choice *c)
{
    if (c->ctx->refresher)
        token_refresher_poke(c->ctx->refresher);
}

cred_choice_result cred_choice_next(cred_choice *c, cred_snapshot *out)
{
    if (c->only_id > 0) {
        int rc = cred_pool_acquire_only(c->pool, c->only_id, time(NULL), out);
        if (rc == CRED_ONLY_OK && c->n_excluded == 0)
            return CRED_CHOICE_OK;
        if (rc == CRED_ONLY_OK) { /* refused once (401/403): it has no other credential */
            poke(c);
            return CRED_CHOICE_TRIED_ALL;
        }
        if (rc != CRED_ONLY_DISABLED || !c->ctx->fallback_pool) {
            poke(c);
            return c->n_excluded > 0 ? CRED_CHOICE_TRIED_ALL : CRED_CHOICE_OWN_DUE;
        }
        /* kiro-go's rule: a caller whose own credential is disabled (quota) moves on. */
        LOG_WARN("[UPSTREAM] the caller's own credential is disabled: moving on to the main pool");
        c->pool = c->ctx->fallback_pool;
        c->only_id = 0;
        c->n_excluded = 0;
    }
    if (cred_pool_acquire(c->pool, c->excluded, c->n_excluded, time(NULL), out) == 0)
        return CRED_CHOICE_OK;
    if (c->n_excluded > 0)
        return CRED_CHOICE_TRIED_ALL;
    poke(c);
    return CRED_CHOICE_NONE;
}

void cred_choice_exclude(cred_choice *c, int id)
{
    if (c->n_excluded < CRED_CHOICE_MAX_EXCLUDED)
        c->excluded[c->n_excluded++] = id;
}

cred_pool *cred_choice_pool(const cred_choice *c)
{
    return c->pool;
}
