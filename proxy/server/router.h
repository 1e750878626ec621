/* router.h: the table of routes: method, path pattern, key required, handler.
 *
 * Matching is exact on the path, with at most one trailing "{param}" segment (for
 * /api/admin/user-credentials/{code} and /api/admin/credentials/{id}/refresh). A path that exists
 * with another method yields 405 with an Allow header; an unknown path yields 404. HEAD matches
 * every GET route (RFC 9110 9.3.2; libmicrohttpd sends the headers without the body). */
#ifndef KIRO_ROUTER_H
#define KIRO_ROUTER_H

#include "server/request.h"

typedef enum {
    ROUTE_AUTH_NONE,
    ROUTE_AUTH_API_KEY,
    ROUTE_AUTH_ADMIN,
    ROUTE_AUTH_ADMIN_OR_LOOPBACK, /* the admin key, or a loopback peer without any key */
} route_auth;

typedef enum MHD_Result (*route_handler)(request_ctx *rq);

typedef struct route {
    const char *method;
    const char *pattern;   /* "/v1/models" or "/api/admin/user-credentials/{}" */
    route_auth auth;
    int accepts_body;
    api_shape shape;
    int metric_route;
    route_handler handler;
} route;

typedef enum { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_METHOD_NOT_ALLOWED } route_match;

/* Finds the route for method+path; fills param (the {} segment) and, for 405, allow (the
 * methods the path accepts, e.g. "GET, POST"). */
route_match router_find(const char *method, const char *path, const route **out, char *param,
                        size_t param_size, char *allow, size_t allow_size);

/* Metric bucket and error shape for a path even when no route matches. */
int router_metric_for_path(const char *path);
api_shape router_shape_for_path(const char *path);

#endif
