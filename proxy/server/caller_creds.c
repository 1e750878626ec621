/* caller_creds.c: a caller's own Kiro credential; see caller_creds.h. */
#include "server/caller_creds.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/base64.h"

cred_pool *caller_creds_from_json(const char *json, size_t len, api_error *err)
{
    if (len > CALLER_CREDS_MAX) {
        api_error_set(err, 401, "authentication_error",
                      "the credential brought by the caller is larger than %d bytes",
                      CALLER_CREDS_MAX);
        return NULL;
    }
    cJSON *obj = cJSON_ParseWithLength(json, len);
    cred_pool *pool = cJSON_IsObject(obj) ? cred_pool_new(NULL) : NULL;
    char why[192] = "not a JSON object";
    /* One parse: the pool's own entry rules (cred_pool_add_json) are the check. */
    int id = pool ? cred_pool_add_json(pool, obj, why, sizeof why) : -1;
    cJSON_Delete(obj);
    if (id < 0) {
        cred_pool_free(pool);
        api_error_set(err, 401, "authentication_error",
                      "the credential brought by the caller is not usable: %s", why);
        return NULL;
    }
    if (cred_pool_usable_count(pool, time(NULL)) == 0) {
        cred_pool_free(pool);
        api_error_set(err, 401, "authentication_error",
                      "the credential brought by the caller has no access token valid now "
                      "(refresh it and send the new one)");
        return NULL;
    }
    return pool;
}

cred_pool *caller_creds_from_key(const char *base64, api_error *err)
{
    size_t len = strlen(base64);
    char *json = len <= CALLER_CREDS_MAX * 4 / 3 + 4 ? malloc(CALLER_CREDS_MAX + 1) : NULL;
    long n = json ? base64_decode(base64, len, json, CALLER_CREDS_MAX + 1) : -1;
    if (n < 0) {
        free(json);
        api_error_set(err, 401, "authentication_error",
                      "a creds- key must be creds-<base64 of a credential JSON> of at most %d "
                      "bytes",
                      CALLER_CREDS_MAX);
        return NULL;
    }
    cred_pool *pool = caller_creds_from_json(json, (size_t)n, err);
    memset(json, 0, (size_t)n); /* it holds tokens */
    free(json);
    return pool;
}
