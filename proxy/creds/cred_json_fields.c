/* cred_json_fields.c: JSON fields of a credential; see cred_json_fields.h. */
#include "creds/cred_json_fields.h"

#include "util/clock.h"
#include "util/secret.h"

int cred_json_add_string(cJSON *obj, const char *name, const char *value)
{
    cJSON *item = value ? cJSON_CreateString(value) : cJSON_CreateNull();
    if (!item || !cJSON_AddItemToObject(obj, name, item)) {
        cJSON_Delete(item);
        return -1;
    }
    return 0;
}

int cred_json_add_time(cJSON *obj, const char *name, time_t t)
{
    char text[32];
    if (t <= 0)
        return cred_json_add_string(obj, name, NULL);
    clock_format_rfc3339(t, text, sizeof text);
    return cred_json_add_string(obj, name, text);
}

int cred_json_add_masked(cJSON *obj, const char *name, const char *secret)
{
    char masked[SECRET_MASK_SIZE];
    secret_mask(secret, masked, sizeof masked);
    return cred_json_add_string(obj, name, masked);
}
