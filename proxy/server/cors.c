/* cors.c: Access-Control-* headers and preflight answers; see cors.h. */
#include "server/cors.h"

#include "server/app.h"

#include <string.h>
#include <strings.h>

#define ALLOWED_METHODS "GET, HEAD, POST, DELETE, OPTIONS"
#define ALLOWED_HEADERS                                                                            \
    "authorization, content-type, x-api-key, x-admin-key, x-kiro-credentials, "                    \
    "anthropic-version, anthropic-beta, anthropic-dangerous-direct-browser-access, "               \
    "x-stainless-os, x-stainless-lang, x-stainless-package-version, x-stainless-runtime, "         \
    "x-stainless-runtime-version, x-stainless-arch, x-stainless-retry-count, "                     \
    "x-stainless-timeout"

/* The admin routes that need the admin key (all but the keyless reload). */
static int keyed_admin_path(const char *path)
{
    return strncmp(path, "/api/admin/", 11) == 0 &&
           strcmp(path, "/api/admin/reload-credentials") != 0;
}

const char *cors_allowed_origin(const proxy_config *cfg, const char *path, const char *origin)
{
    int admin = keyed_admin_path(path);
    const char *list = cfg->cors_origins;
    if (!list || !*list)
        return admin ? NULL : "*";
    size_t origin_len = origin ? strlen(origin) : 0;
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n == 1 && *p == '*' && !admin)
            return "*";
        if (origin && n == origin_len && strncasecmp(p, origin, n) == 0)
            return origin;
        p += n;
        if (*p == ',')
            p++;
    }
    return NULL;
}

void cors_add_headers(request_ctx *rq, struct MHD_Response *response)
{
    const char *origin = request_header(rq, "Origin");
    const char *allowed = cors_allowed_origin(rq->app->cfg, rq->path, origin);
    if (!allowed)
        return;
    MHD_add_response_header(response, "Access-Control-Allow-Origin", allowed);
    if (strcmp(allowed, "*") != 0)
        MHD_add_response_header(response, "Vary", "Origin");
    MHD_add_response_header(response, "Access-Control-Expose-Headers", "request-id");
}

enum MHD_Result cors_answer_preflight(request_ctx *rq)
{
    const char *origin = request_header(rq, "Origin");
    if (!cors_allowed_origin(rq->app->cfg, rq->path, origin)) {
        api_error e;
        api_error_set(&e, 403, "permission_error",
                      "cross-origin calls to %.100s are not allowed from this origin (the keyed "
                      "admin API grants only origins listed in corsOrigins)",
                      rq->path);
        return respond_error(rq, &e);
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Access-Control-Allow-Methods", ALLOWED_METHODS);
    MHD_add_response_header(r, "Access-Control-Allow-Headers", ALLOWED_HEADERS);
    MHD_add_response_header(r, "Access-Control-Max-Age", "600");
    MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, ALLOWED_METHODS);
    return respond_response(rq, 204, r);
}
