/* tool_input.c: schema-driven tool arguments; see tool_input.h. */
#include "tool_input.h"

#include <string.h>

/* The declared type of a property: "type" as a string, or the first non-"null" entry when it is
 * a list of types. NULL when undeclared. */
static const char *declared_type(const cJSON *property)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(property, "type");
    if (cJSON_IsString(type))
        return type->valuestring;
    const cJSON *types = cJSON_IsArray(type) ? type : NULL;
    const cJSON *entry;
    cJSON_ArrayForEach(entry, types) {
        if (cJSON_IsString(entry) && strcmp(entry->valuestring, "null") != 0)
            return entry->valuestring;
    }
    return NULL;
}

static cJSON *sample_value(const char *name, const cJSON *property)
{
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(property, "enum");
    if (cJSON_IsArray(choices) && cJSON_GetArraySize(choices) > 0)
        return cJSON_Duplicate(cJSON_GetArrayItem(choices, 0), 1);
    const char *type = declared_type(property);
    if (type && (strcmp(type, "number") == 0 || strcmp(type, "integer") == 0))
        return cJSON_CreateNumber(1);
    if (type && strcmp(type, "boolean") == 0)
        return cJSON_CreateTrue();
    if (type && strcmp(type, "object") == 0)
        return cJSON_CreateObject();
    if (type && strcmp(type, "array") == 0)
        return cJSON_CreateArray();
    if (type && strcmp(type, "null") == 0)
        return cJSON_CreateNull();
    if (strcmp(name, "location") == 0 || strcmp(name, "city") == 0)
        return cJSON_CreateString("Paris");
    return cJSON_CreateString("fake-value");
}

char *fk_tool_input_from_schema(const cJSON *schema)
{
    cJSON *input = cJSON_CreateObject();
    if (!input)
        return NULL;
    const cJSON *required = cJSON_GetObjectItemCaseSensitive(schema, "required");
    const cJSON *properties = cJSON_GetObjectItemCaseSensitive(schema, "properties");
    const cJSON *names = cJSON_IsArray(required) ? required : NULL;
    const cJSON *name;
    cJSON_ArrayForEach(name, names) {
        if (!cJSON_IsString(name) || cJSON_GetObjectItemCaseSensitive(input, name->valuestring))
            continue;
        const cJSON *property = cJSON_GetObjectItemCaseSensitive(properties, name->valuestring);
        cJSON *value = sample_value(name->valuestring, property);
        if (!value || !cJSON_AddItemToObject(input, name->valuestring, value)) {
            cJSON_Delete(value);
            cJSON_Delete(input);
            return NULL;
        }
    }
    char *text = cJSON_PrintUnformatted(input);
    cJSON_Delete(input);
    return text;
}
