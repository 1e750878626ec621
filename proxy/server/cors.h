/* cors.h: cross-origin access for browser callers (the launcher's webview, web UIs).
 *
 * kiro-go sends Access-Control-Allow-Origin: * and answers OPTIONS on every route; so does
 * this proxy by default, on every route but the keyed admin API. With corsOrigins set
 * (--cors-origins), only those origins get the header (echoed, with Vary: Origin). The keyed
 * admin routes (everything under /api/admin/ but the launcher's keyless reload) grant no
 * wildcard: only an origin listed by name may read them from a browser, so a page cannot
 * drive the admin API with a key it learned. A preflight (OPTIONS) is answered at once, before
 * any key check, as browsers send it without credentials: 204 with the grant, or 403 without
 * it. The key checks still guard every route: CORS decides what a page may read, not who may
 * call. */
#ifndef KIRO_CORS_H
#define KIRO_CORS_H

#include <microhttpd.h>

#include "config/config.h"
#include "server/request.h"

/* The Access-Control-Allow-Origin value for a request to path from origin (NULL: no Origin
 * header): "*" when any origin is allowed (never on the keyed admin routes), origin itself
 * when it is listed by name, NULL when it is not allowed. */
const char *cors_allowed_origin(const proxy_config *cfg, const char *path, const char *origin);

/* Adds Access-Control-Allow-Origin (and Vary, Expose-Headers) to a response for rq. */
void cors_add_headers(request_ctx *rq, struct MHD_Response *response);

/* Answers a preflight: 204 with the allowed methods and headers. */
enum MHD_Result cors_answer_preflight(request_ctx *rq);

#endif
