/* app.c: building, starting and stopping the proxy as a whole; see app.h. */
#include "server/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/atomic_file.h"
#include "log/log.h"
#include "server/creds_watch.h"
#include "server/http_server.h"
#include "server/request.h"
#include "server/model_refresher.h"
#include "util/clock.h"

int app_reload_credentials(app *a, char *err, size_t err_size, char *note, size_t note_size)
{
    if (note_size)
        note[0] = '\0';
    int n = cred_pool_load(a->pool, err, err_size);
    if (n < 0) {
        LOG_WARN("[CREDS] reload of %s failed, keeping the previous pool: %s",
                 a->cfg->credentials_path ? a->cfg->credentials_path : "(none)", err);
        return -1;
    }
    int users = a->cfg->user_credentials_path ? user_store_load(a->users, note, note_size) : 0;
    if (users < 0)
        users = (int)user_store_count(a->users); /* logged by the store; writes refused */
    int own = user_pool_sync(a->user_creds);
    LOG_INFO("[CREDS] loaded %d credentials and %d user entries (%d with credentials of their own)",
             n, users, own < 0 ? 0 : own);
    if (a->refresher)
        token_refresher_poke(a->refresher);
    if (a->user_refresher)
        token_refresher_poke(a->user_refresher);
    return 0;
}

void app_users_changed(app *a)
{
    user_pool_sync(a->user_creds);
    if (a->user_refresher)
        token_refresher_poke(a->user_refresher);
}

void app_upstream_for(const app *a, const struct request_ctx *rq, upstream_ctx *out)
{
    *out = a->upstream;
    if (rq && rq->caller_pool) {
        out->pool = rq->caller_pool;
        out->refresher = NULL; /* a credential brought by the caller is used as it is */
    } else if (rq && rq->user_cred_id > 0) {
        out->pool = user_pool_creds(a->user_creds);
        out->only_id = rq->user_cred_id;
        out->fallback_pool = a->pool;
        out->refresher = a->user_refresher;
    }
}

int app_init(app *a, proxy_config *cfg, char *err, size_t err_size)
{
    memset(a, 0, sizeof *a);
    a->cfg = cfg;
    atomic_init(&a->stopping, 0);
    metrics_init(&a->metrics);
    a->started_ms = clock_monotonic_ms();
    a->started_at = time(NULL);
    a->pool = cred_pool_new(cfg->credentials_path);
    char codes_path[4096] = "";
    if (cfg->user_credentials_path)
        user_store_codes_path(cfg->user_credentials_path, codes_path, sizeof codes_path);
    a->users = user_store_new(cfg->user_credentials_path, codes_path[0] ? codes_path : NULL);
    a->user_creds = a->users ? user_pool_new(a->users) : NULL;
    a->models = model_catalog_new_default();
    if (!a->pool || !a->users || !a->user_creds || !a->models) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    int stale = atomic_file_remove_stale(cfg->credentials_path) +
                atomic_file_remove_stale(cfg->user_credentials_path);
    if (stale)
        LOG_INFO("[CREDS] removed %d temporary file(s) left by an interrupted save", stale);
    char note[512];
    if (app_reload_credentials(a, err, err_size, note, sizeof note) != 0)
        return -1;
    a->refresh_cfg.auth_url = cfg->auth_url;
    snprintf(a->refresh_cfg.kiro_version, sizeof a->refresh_cfg.kiro_version, "%s",
             cfg->kiro_version);
    a->refresh_cfg.timeout_ms = 15000;
    a->refresh_cfg.connect_timeout_ms = cfg->connect_timeout_ms < 5000 ? cfg->connect_timeout_ms : 5000;
    a->refresh_cfg.margin_s = 300;
    a->refresh_cfg.period_ms = 30000;
    return 0;
}

int app_start(app *a, char *err, size_t err_size)
{
    a->refresher = token_refresher_start(&a->refresh_cfg, a->pool);
    a->user_refresher = token_refresher_start(&a->refresh_cfg, user_pool_creds(a->user_creds));
    if (!a->refresher || !a->user_refresher) {
        snprintf(err, err_size, "cannot start the token refresher");
        return -1;
    }
    a->upstream = (upstream_ctx){
        .cfg = a->cfg,
        .pool = a->pool,
        .refresher = a->refresher,
        .metrics = &a->metrics,
        .stopping = &a->stopping,
    };
    a->model_refresher = model_refresher_start(a, a->cfg->model_refresh_s);
    if (a->cfg->watch_ms > 0 && a->cfg->credentials_path)
        a->creds_watch = creds_watch_start(a->pool, a->refresher, a->cfg->watch_ms);
    a->server = http_server_start(a, err, err_size);
    if (!a->server)
        return -1;
    return 0;
}

int app_port(const app *a)
{
    return http_server_port(a->server);
}

void app_stop_server(app *a, int stop_deadline_ms)
{
    atomic_store(&a->stopping, 1);
    if (a->server) {
        http_server_stop(a->server, stop_deadline_ms);
        a->server = NULL;
    }
}

void app_stop(app *a, int stop_deadline_ms)
{
    app_stop_server(a, stop_deadline_ms);
    creds_watch_stop(a->creds_watch);
    a->creds_watch = NULL;
    if (a->model_refresher) {
        model_refresher_stop(a->model_refresher);
        a->model_refresher = NULL;
    }
    if (a->refresher) {
        a->upstream.refresher = NULL;
        token_refresher_stop(a->refresher);
        a->refresher = NULL;
    }
    if (a->user_refresher) {
        token_refresher_stop(a->user_refresher);
        a->user_refresher = NULL;
    }
}

void app_free(app *a)
{
    cred_pool_free(a->pool);
    user_pool_free(a->user_creds);
    user_store_free(a->users);
    model_catalog_free(a->models);
    memset(a, 0, sizeof *a);
}
