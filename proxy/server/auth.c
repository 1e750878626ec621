/* auth.c: access log line and constant-time key checks; see auth.h. */
#include "server/auth.h"

#include <string.h>
#include <strings.h>

#include "log/log.h"
#include "server/app.h"
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

int auth_check(request_ctx *rq, api_error *err)
{
    const route *rt = rq->route;
    if (!rt || rt->auth == ROUTE_AUTH_NONE)
        return 1;
    const proxy_config *cfg = rq->app->cfg;
    if (rt->auth == ROUTE_AUTH_ADMIN) {
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
    if (!cfg->api_key || !*cfg->api_key) {
        api_error_set(err, 401, "authentication_error",
                      "no API key is configured on this proxy: start it with --api-key KEY "
                      "(or KIRO_API_KEY, or apiKey in config.json)");
        return 0;
    }
    const char *key = auth_presented_key(rq, 0);
    if (!key) {
        api_error_set(err, 401, "authentication_error",
                      "x-api-key header or Authorization: Bearer is required");
        return 0;
    }
    if (!secret_equal(key, cfg->api_key)) {
        api_error_set(err, 401, "authentication_error", "invalid x-api-key");
        return 0;
    }
    return 1;
}
