/* cred_json_fields.h: adding the JSON fields a credential is shown and saved with (internal
 * to proxy/creds; used by cred_view.c and cred_file.c). Each returns 0, or -1 when memory ran
 * out (the object is then incomplete and the caller discards it). */
#ifndef KIRO_CRED_JSON_FIELDS_H
#define KIRO_CRED_JSON_FIELDS_H

#include <cjson/cJSON.h>
#include <time.h>

/* A string field, or null when value is NULL. */
int cred_json_add_string(cJSON *obj, const char *name, const char *value);
/* An RFC 3339 time, or null when t <= 0 (unknown). */
int cred_json_add_time(cJSON *obj, const char *name, time_t t);
/* A secret shown masked (secret_mask), never whole. */
int cred_json_add_masked(cJSON *obj, const char *name, const char *secret);

#endif
