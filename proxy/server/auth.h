/* auth.h: the auth middleware: the access log line every request writes, and key checks.
 *
 * kiro-go's middleware logged "[AUTH]" with the path, the masked key and the user agent on every
 * request before anything else; that line is the one that froze every route when the log pipe
 * filled. It is reproduced faithfully here, for every route including /health and admin. */
#ifndef KIRO_AUTH_H
#define KIRO_AUTH_H

#include "server/request.h"

/* Writes the access line for rq (method, path, masked key, user agent, remote address). */
void auth_log_access(request_ctx *rq);

/* Checks the caller the route requires. Returns 1 when allowed; otherwise fills err (401 missing
 * or wrong key or an unknown activation code, 403 admin API disabled, an expired code or an
 * untrusted Host on a keyless route) and returns 0. On /v1 routes it also sets whose Kiro
 * credential serves the request (request_ctx.user_cred_id / caller_pool). Keys are compared
 * in constant time. */
int auth_check(request_ctx *rq, api_error *err);

/* The key the client presented (x-api-key, x-admin-key or Authorization: Bearer), or NULL. */
const char *auth_presented_key(request_ctx *rq, int admin);

#endif
