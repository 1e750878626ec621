/* app.c: building, starting and stopping the proxy as a whole; see app.h. */
#include "server/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/atomic_file.h"
#include "log/log.h"
#include "server/http_server.h"
#include "server/model_refresher.h"
#include "util/clock.h"

int app_reload_credentials(app *a, char *err, size_t err_size)
{
    int n = cred_pool_load(a->pool, err, err_size);
    if (n < 0) {
        LOG_WARN("[CREDS] reload of %s failed, keeping the previous pool: %s",
                 a->cfg->credentials_path ? a->cfg->credentials_path : "(none)", err);
        return -1;
    }
    int users = user_store_load(a->users, err, err_size);
    if (users < 0) {
        LOG_WARN("[CREDS] reload of the user store failed, keeping it as it was: %s", err);
        return -1;
    }
    LOG_INFO("[CREDS] loaded %d credentials and %d user entries", n, users);
    if (a->refresher)
        token_refresher_poke(a->refresher);
    return 0;
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
    a->users = user_store_new(cfg->user_credentials_path);
    a->models = model_catalog_new_default();
    if (!a->pool || !a->users || !a->models) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    int stale = atomic_file_remove_stale(cfg->credentials_path) +
                atomic_file_remove_stale(cfg->user_credentials_path);
    if (stale)
        LOG_INFO("[CREDS] removed %d temporary file(s) left by an interrupted save", stale);
    if (app_reload_credentials(a, err, err_size) != 0)
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
    if (!a->refresher) {
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
    if (a->model_refresher) {
        model_refresher_stop(a->model_refresher);
        a->model_refresher = NULL;
    }
    if (a->refresher) {
        a->upstream.refresher = NULL;
        token_refresher_stop(a->refresher);
        a->refresher = NULL;
    }
}

void app_free(app *a)
{
    cred_pool_free(a->pool);
    user_store_free(a->users);
    model_catalog_free(a->models);
    memset(a, 0, sizeof *a);
}
