/* auth.c: access log line, who the caller is (the four ways kiro-go accepts one) and
 * constant-time key checks; see auth.h. */
#include "server/auth.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "log/log.h"
#include "server/app.h"
#include "server/caller_creds.h"
#include "server/peer_guard.h"
#include "server/router.h"
#include "util/secret.h"

const char *auth_presented_key(request_ctx *rq, int admin)
{
    const char *key = request_header(rq, admin ? "x-admin-key" : "x-api-key");
    if (key && *key)
        return key;
    const char *authz = request_header(rq, MHD_HTTP_HEADER_AUTHORIZATION);
    if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
        authz += 7;
        while (*authz == ' ')
            authz++;
        return *authz ? authz : NULL;
    }
    return NULL;
}

void auth_log_access(request_ctx *rq)
{
    int admin = strncmp(rq->path, "/api/admin/", 11) == 0;
    char masked[SECRET_MASK_SIZE];
    secret_mask(auth_presented_key(rq, admin), masked, sizeof masked);
    const char *ua = request_header(rq, MHD_HTTP_HEADER_USER_AGENT);
    LOG_INFO("[AUTH] %s%s %s key=%s ua=%.200s id=%s", admin ? "admin " : "", rq->method, rq->path,
             masked, ua ? ua : "-", rq->request_id);
}

/* Keyless routes: the Host must be one a DNS-rebinding page cannot send (peer_guard.h). */
static int keyless_host_ok(request_ctx *rq, api_error *err)
{
    const char *host = request_header(rq, MHD_HTTP_HEADER_HOST);
    if (peer_host_trusted(rq->app->cfg, host))
        return 1;
    api_error_set(err, 403, "permission_error",
                  "Host '%.100s' is refused on a route without a key: only localhost, an IP "
                  "address or the configured host are accepted (DNS rebinding guard)",
                  host ? host : "");
    return 0;
}

static int admin_key_ok(request_ctx *rq, api_error *err)
{
    const proxy_config *cfg = rq->app->cfg;
    if (!cfg->admin_key || !*cfg->admin_key) {
        api_error_set(err, 403, "permission_error",
                      "the admin API is disabled: start the proxy with --admin-key KEY "
                      "(or KIRO_ADMIN_KEY, or adminApiKey in config.json) to enable it");
        return 0;
    }
    const char *key = auth_presented_key(rq, 1);
    if (!key) {
        api_error_set(err, 401, "authentication_error",
                      "admin key required: send it in x-admin-key or Authorization: Bearer");
        return 0;
    }
    if (!secret_equal(key, cfg->admin_key)) {
        api_error_set(err, 401, "authentication_error", "invalid admin key");
        return 0;
    }
    return 1;
}

/* "act-<code>": the caller is the user of that activation code (any case). Stores name the
 * code with its "act-" (kiro-go's activation codes are act-XXXX-XXXX-XXXX-XXXX) or without it;
 * both are looked up, the whole key first. Its own stored credential serves it; a known code
 * without one is served by the main pool (kiro-go's rule); an unknown code is refused, never
 * given the pool. */
static int activation_ok(request_ctx *rq, const char *key, api_error *err)
{
    app *a = rq->app;
    char canonical[sizeof rq->user_code], detail[200];
    user_code_state state =
        user_store_check(a->users, key, canonical, sizeof canonical, detail, sizeof detail);
    if (state == USER_CODE_UNKNOWN)
        state =
            user_store_check(a->users, key + 4, canonical, sizeof canonical, detail, sizeof detail);
    switch (state) {
    case USER_CODE_UNKNOWN:
        api_error_set(err, 401, "authentication_error", "unknown activation code");
        return 0;
    case USER_CODE_EXPIRED:
        api_error_set(err, 403, "permission_error", "%s", detail);
        return 0;
    case USER_CODE_NO_CREDENTIALS:
        snprintf(rq->user_code, sizeof rq->user_code, "%s", canonical);
        return 1;
    case USER_CODE_CREDENTIALS:
        break;
    }
    int id = user_pool_id_for(a->user_creds, canonical);
    if (id <= 0) {
        api_error_set(err, 503, "api_error",
                      "the credentials of this activation code are not loaded yet; try again");
        return 0;
    }
    snprintf(rq->user_code, sizeof rq->user_code, "%s", canonical);
    rq->user_cred_id = id;
    return 1;
}

/* The four ways kiro-go accepts a caller on the /v1 routes: X-Kiro-Credentials, an act-<code> key,
 * a creds-<base64> key (those two ways that bring a credential only when the config allows them),
 * the configured API key. */
static int caller_ok(request_ctx *rq, api_error *err)
{
    const proxy_config *cfg = rq->app->cfg;
    const char *brought = request_header(rq, "x-kiro-credentials");
    if (cfg->allow_caller_credentials && brought && *brought) {
        rq->caller_pool = caller_creds_from_json(brought, strlen(brought), err);
        return rq->caller_pool != NULL;
    }
    const char *key = auth_presented_key(rq, 0);
    if (!key) {
        api_error_set(err, 401, "authentication_error",
                      "x-api-key header or Authorization: Bearer is required");
        return 0;
    }
    if (cfg->api_key && *cfg->api_key && secret_equal(key, cfg->api_key))
        return 1;
    if (strncasecmp(key, "act-", 4) == 0 && key[4])
        return activation_ok(rq, key, err);
    if (strncmp(key, "creds-", 6) == 0) {
        if (!cfg->allow_caller_credentials) {
            api_error_set(err, 401, "authentication_error",
                          "creds- keys are not accepted by this proxy (allowCallerCredentials "
                          "is off)");
            return 0;
        }
        rq->caller_pool = caller_creds_from_key(key + 6, err);
        return rq->caller_pool != NULL;
    }
    if (!cfg->api_key || !*cfg->api_key) {
        api_error_set(err, 401, "authentication_error",
                      "no API key is configured on this proxy: start it with --api-key KEY "
                      "(or KIRO_API_KEY, or apiKey in config.json)");
        return 0;
    }
    api_error_set(err, 401, "authentication_error", "invalid x-api-key");
    return 0;
}

int auth_check(request_ctx *rq, api_error *err)
{
    const route *rt = rq->route;
    if (!rt)
        return 1;
    switch (rt->auth) {
    case ROUTE_AUTH_NONE:
        return keyless_host_ok(rq, err);
    case ROUTE_AUTH_ADMIN_OR_LOOPBACK:
        /* The launcher's reload after an account switch: no key (not even an empty one),
         * from this machine. */
        if (!request_header(rq, "x-admin-key") &&
            !request_header(rq, MHD_HTTP_HEADER_AUTHORIZATION) && peer_is_loopback(rq))
            return keyless_host_ok(rq, err);
        return admin_key_ok(rq, err);
    case ROUTE_AUTH_ADMIN:
        return admin_key_ok(rq, err);
    case ROUTE_AUTH_API_KEY:
        return caller_ok(rq, err);
    }
    return 0;
}
