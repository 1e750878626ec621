/* caller_creds.h: a caller that brings its own Kiro credential, as kiro-go allows: the
 * X-Kiro-Credentials header (the credential's JSON) or an API key "creds-<base64 of it>".
 * Only when the config switches it on (allowCallerCredentials / --caller-credentials on);
 * such a caller is served from its credential alone, never from the operator's accounts.
 *
 * The credential must meet every rule a credentials.json entry meets (cred_validate_json)
 * and carry an access token valid now: it is used as it is, never refreshed or stored. */
#ifndef KIRO_CALLER_CREDS_H
#define KIRO_CALLER_CREDS_H

#include <stddef.h>

#include "creds/credentials.h"
#include "util/api_error.h"

/* The longest credential JSON accepted (header or decoded key). */
#define CALLER_CREDS_MAX 32768

/* A one-credential pool for json[0..len) (the caller frees it with cred_pool_free), or NULL
 * with err (401 authentication_error naming the problem). */
cred_pool *caller_creds_from_json(const char *json, size_t len, api_error *err);
/* The same for the text after "creds-" in an API key. */
cred_pool *caller_creds_from_key(const char *base64, api_error *err);

#endif
