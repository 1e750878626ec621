/* cred_view.c: the admin view of the pool (GET /api/admin/credentials): every credential
 * with its state, tokens masked; see credentials.h. */
#include "creds/cred_entry.h"

#include "creds/cred_json_fields.h"

static cJSON *view_entry(const pool_entry *e)
{
    const credential *c = &e->cred;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    int ok = cJSON_AddNumberToObject(o, "id", c->id) &&
             cJSON_AddNumberToObject(o, "priority", c->priority) &&
             cJSON_AddBoolToObject(o, "disabled", c->disabled) &&
             cred_json_add_string(o, "disabledReason",
                                  c->disabled && c->disabled_reason[0] ? c->disabled_reason
                                                                       : NULL) == 0 &&
             cJSON_AddNumberToObject(o, "failureCount", c->failure_count) &&
             cred_json_add_time(o, "expiresAt", c->expires_at) == 0 &&
             cred_json_add_string(o, "authMethod", cred_auth_method_name(c->method)) == 0 &&
             cred_json_add_string(o, "region", c->region[0] ? c->region : NULL) == 0 &&
             cred_json_add_string(o, "authRegion", c->auth_region) == 0 &&
             cred_json_add_masked(o, "accessToken", c->access_token) == 0 &&
             cred_json_add_masked(o, "refreshToken", c->refresh_token) == 0 &&
             cJSON_AddBoolToObject(o, "needsRefresh", c->needs_refresh) &&
             cJSON_AddNumberToObject(o, "refreshCount", (double)c->refresh_count) &&
             cred_json_add_time(o, "lastRefresh", c->last_refresh) == 0 &&
             cred_json_add_string(o, "lastError", c->last_error[0] ? c->last_error : NULL) == 0;
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

cJSON *cred_pool_view_json(cred_pool *p)
{
    cJSON *array = cJSON_CreateArray();
    if (!array || !p)
        return array;
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < p->count; i++) {
        cJSON *o = view_entry(&p->entries[i]);
        if (!o || !cJSON_AddItemToArray(array, o)) {
            cJSON_Delete(o);
            cJSON_Delete(array);
            array = NULL;
            break;
        }
    }
    pthread_mutex_unlock(&p->mu);
    return array;
}
