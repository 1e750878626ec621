/* app.h: the running proxy: configuration, credential pool, model catalogue, background
 * threads, metrics and the HTTP daemon, created and torn down in one place.
 *
 * Routes receive the app through their request_ctx; nothing here is a global, so tests can run
 * several proxies in one process. */
#ifndef KIRO_APP_H
#define KIRO_APP_H

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "config/config.h"
#include "creds/credentials.h"
#include "creds/token_refresh.h"
#include "creds/user_pool.h"
#include "creds/user_store.h"
#include "server/metrics.h"
#include "server/upstream.h"
#include "translate/model_catalog.h"

struct http_server;
struct model_refresher;
struct creds_watch;

typedef struct app {
    proxy_config *cfg;
    cred_pool *pool;
    user_store *users;
    user_pool *user_creds;      /* act-<code> callers' own credentials (from users) */
    model_catalog *models;
    metrics metrics;
    refresh_config refresh_cfg;
    token_refresher *refresher;
    token_refresher *user_refresher; /* the same for user_creds' pool */
    struct model_refresher *model_refresher;
    struct creds_watch *creds_watch; /* reloads credentials.json when it changes (or NULL) */
    struct http_server *server;
    upstream_ctx upstream;      /* what upstream calls see of the app (filled by app_start) */
    int64_t started_ms;         /* monotonic */
    time_t started_at;          /* wall clock */
    atomic_int stopping;        /* set at shutdown: waits in request threads end early */
} app;

/* Loads credentials and the user store, prepares everything. Returns 0 or -1 (message in err). */
int app_init(app *a, proxy_config *cfg, char *err, size_t err_size);
/* Starts the background threads and the HTTP daemon. Returns 0 or -1. */
int app_start(app *a, char *err, size_t err_size);
/* Port actually bound (useful with port 0). */
int app_port(const app *a);
/* Stops accepting, ends request threads within stop_deadline_ms (those still busy are left to
 * the process exit), stops background threads. */
void app_stop(app *a, int stop_deadline_ms);
/* Only the HTTP part of app_stop (the process exit ends the background threads). */
void app_stop_server(app *a, int stop_deadline_ms);
void app_free(app *a);

/* Reloads credentials.json and the user store (admin reload, SIGHUP, the file watch).
 * Returns -1 with err when credentials.json could not be read (the previous pool stays);
 * a user-store file that could not be read is no failure of the reload: note says so. */
int app_reload_credentials(app *a, char *err, size_t err_size, char *note, size_t note_size);

/* Re-reads the user store's credentials into the act-<code> pool (after an admin change). */
void app_users_changed(app *a);

/* The upstream context of one request: the app's, with the caller's own credential when it
 * has one (see request_ctx). */
struct request_ctx;
void app_upstream_for(const app *a, const struct request_ctx *rq, upstream_ctx *out);

#endif
