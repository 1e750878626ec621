/* creds_watch.c: reload credentials.json when it changes on disk; see creds_watch.h. */
#include "server/creds_watch.h"

#include <stdlib.h>

#include "log/log.h"
#include "util/worker.h"

struct creds_watch {
    cred_pool *pool;
    token_refresher *refresher;
    int period_ms;
    worker *thread;
};

static void watch_body(worker *w, void *user)
{
    creds_watch *cw = user;
    while (worker_wait(w, cw->period_ms) != WORKER_STOP) {
        char err[256] = "";
        int rc = cred_pool_reload_if_changed(cw->pool, err, sizeof err);
        if (rc > 0) {
            LOG_INFO("[CREDS] the credentials file changed on disk: reloaded, %zu credentials",
                     cred_pool_count(cw->pool));
            if (cw->refresher)
                token_refresher_poke(cw->refresher);
        } else if (rc < 0) {
            LOG_WARN("[CREDS] the credentials file changed but cannot be used, the previous "
                     "credentials stay: %s",
                     err);
        }
    }
}

creds_watch *creds_watch_start(cred_pool *pool, token_refresher *refresher, int period_ms)
{
    creds_watch *cw = calloc(1, sizeof *cw);
    if (!cw)
        return NULL;
    cw->pool = pool;
    cw->refresher = refresher;
    cw->period_ms = period_ms;
    cw->thread = worker_start("creds-watch", watch_body, cw);
    if (!cw->thread) {
        free(cw);
        return NULL;
    }
    return cw;
}

void creds_watch_stop(creds_watch *cw)
{
    if (!cw)
        return;
    if (worker_stop(cw->thread, 10000) == 0)
        free(cw); /* else the thread still uses cw and frees nothing: leave it (exit is near) */
}
