/* schema_clean.c: removal of the schema keywords the upstream rejects; see schema_clean.h.
 *
 * The walk knows which members hold schemas, which hold maps of names to schemas
 * ("properties", "$defs", ...) and which hold data ("enum", "default", ...), so a property
 * that is itself called "additionalProperties" survives while the keyword is removed.
 * Depth is bounded by cJSON's nesting limit. */
#include "translate/schema_clean.h"

#include <string.h>

static void clean_schema(cJSON *schema);

static int is_schema_map(const char *key)
{
    return strcmp(key, "properties") == 0 || strcmp(key, "patternProperties") == 0 ||
           strcmp(key, "$defs") == 0 || strcmp(key, "definitions") == 0 ||
           strcmp(key, "dependentSchemas") == 0;
}

/* Members whose values are data, not schemas: left exactly as the client wrote them. */
static int is_data_keyword(const char *key)
{
    return strcmp(key, "enum") == 0 || strcmp(key, "const") == 0 ||
           strcmp(key, "default") == 0 || strcmp(key, "examples") == 0 ||
           strcmp(key, "required") == 0;
}

static int is_rejected_keyword(const char *key)
{
    return strcmp(key, "additionalProperties") == 0 || strcmp(key, "$schema") == 0;
}

static void clean_value(cJSON *value)
{
    if (cJSON_IsObject(value)) {
        clean_schema(value);
    } else if (cJSON_IsArray(value)) {
        cJSON *item;
        cJSON_ArrayForEach(item, value)
            clean_value(item);
    }
}

static void clean_schema(cJSON *schema)
{
    cJSON *member = schema->child;
    while (member) {
        cJSON *next = member->next;
        const char *key = member->string ? member->string : "";
        if (is_rejected_keyword(key)) {
            cJSON_Delete(cJSON_DetachItemViaPointer(schema, member));
        } else if (is_schema_map(key) && cJSON_IsObject(member)) {
            cJSON *named;
            cJSON_ArrayForEach(named, member)
                clean_value(named);
        } else if (!is_data_keyword(key)) {
            clean_value(member);
        }
        member = next;
    }
}

cJSON *schema_for_upstream(const cJSON *schema)
{
    if (!schema) {
        cJSON *empty = cJSON_CreateObject();
        if (empty && (!cJSON_AddStringToObject(empty, "type", "object") ||
                      !cJSON_AddObjectToObject(empty, "properties"))) {
            cJSON_Delete(empty);
            return NULL;
        }
        return empty;
    }
    cJSON *copy = cJSON_Duplicate(schema, 1);
    if (copy)
        clean_schema(copy);
    return copy;
}
