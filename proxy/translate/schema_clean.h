/* schema_clean.h: tool input schemas in the form the upstream accepts (internal).
 *
 * The upstream rejects JSON Schema keywords it does not know, "additionalProperties" and
 * "$schema" being the ones clients send most; they are removed at every schema level. */
#ifndef KIRO_TRANSLATE_SCHEMA_CLEAN_H
#define KIRO_TRANSLATE_SCHEMA_CLEAN_H

#include <cjson/cJSON.h>

/* A cleaned deep copy of schema (caller deletes), or an empty object schema
 * {"type":"object","properties":{}} when schema is NULL. NULL when out of memory. */
cJSON *schema_for_upstream(const cJSON *schema);

#endif
