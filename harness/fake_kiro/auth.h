/* auth.h: the access-token check of the Kiro endpoints (generateAssistantResponse and
 * ListAvailableModels).
 *
 * Like the real service, fake-kiro needs "Authorization: Bearer <token>" and answers 403 without
 * it. Any token is accepted unless a test listed it: --reject-token gives 403 (invalid token,
 * the proxy should fail over), --expired-token gives 401 (the proxy should refresh). */
#ifndef FAKE_KIRO_AUTH_H
#define FAKE_KIRO_AUTH_H

#include <stddef.h>

#include <microhttpd.h>

#include "app.h"
#include "request.h"

/* Copies the bearer token of an Authorization header value into out. Returns 0, or -1 when the
 * value is missing, not "Bearer <token>" (scheme case-insensitive) or the token is too long. */
int fk_bearer_token(const char *authorization, char *out, size_t out_size);

/* Returns 1 when the request may go on. Otherwise it has queued the error response, stored the
 * access handler's return value in *result and returns 0. */
int fk_auth_check(fk_app *app, struct MHD_Connection *c, fk_request *req,
                  enum MHD_Result *result);

#endif
