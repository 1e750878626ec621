/* tool_specs.c: building the upstream tool specification list; see tool_specs.h. */
#include "translate/tool_specs.h"
#include "translate/request_check.h"
#include "translate/schema_clean.h"
#include "translate/tool_names.h"
#include "util/utf8.h"

#include <string.h>

#include "util/buf.h"

/* The client's description cut to max_chars characters, or "Tool <name>" when it is blank. */
static cJSON *description_for(const cJSON *tool, const char *name, size_t max_chars)
{
    const cJSON *description = cJSON_GetObjectItemCaseSensitive(tool, "description");
    const char *text = cJSON_IsString(description) ? description->valuestring : "";
    size_t len = strlen(text);
    kbuf generated = KBUF_INIT(0);
    if (utf8_is_blank(text, len)) {
        if (kbuf_printf(&generated, "Tool %s", name) != KBUF_OK) {
            kbuf_free(&generated);
            return NULL;
        }
        text = generated.data;
        len = generated.len;
    }
    size_t keep = utf8_prefix_bytes(text, len, max_chars);
    kbuf cut = KBUF_INIT(0);
    cJSON *result = NULL;
    if (kbuf_append(&cut, text, keep) == KBUF_OK)
        result = cJSON_CreateString(cut.data);
    kbuf_free(&cut);
    kbuf_free(&generated);
    return result;
}

static int has_spec_named(const cJSON *specs, const char *name)
{
    const cJSON *entry;
    cJSON_ArrayForEach(entry, specs) {
        const cJSON *spec = cJSON_GetObjectItemCaseSensitive(entry, "toolSpecification");
        const cJSON *existing = cJSON_GetObjectItemCaseSensitive(spec, "name");
        if (cJSON_IsString(existing) && strcmp(existing->valuestring, name) == 0)
            return 1;
    }
    return 0;
}

/* One {"toolSpecification":{...}} entry, or NULL when out of memory. */
static cJSON *spec_for(const cJSON *tool, const char *upstream_name, const char *original,
                       size_t max_description)
{
    cJSON *entry = cJSON_CreateObject();
    cJSON *spec = cJSON_AddObjectToObject(entry, "toolSpecification");
    cJSON *description = description_for(tool, original, max_description);
    cJSON *input_schema = cJSON_AddObjectToObject(spec, "inputSchema");
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(tool, "input_schema");
    cJSON *cleaned = schema_for_upstream(cJSON_IsObject(schema) ? schema : NULL);
    if (!entry || !spec || !description || !input_schema || !cleaned ||
        !cJSON_AddStringToObject(spec, "name", upstream_name)) {
        cJSON_Delete(description);
        cJSON_Delete(cleaned);
        cJSON_Delete(entry);
        return NULL;
    }
    cJSON_AddItemToObject(spec, "description", description);
    cJSON_AddItemToObject(input_schema, "json", cleaned);
    return entry;
}

int tool_specs_build(const cJSON *tools, size_t max_description, cJSON **specs, int *count,
                     cJSON **name_map, api_error *err)
{
    *specs = NULL;
    *count = 0;
    if (!tools)
        return 0;
    cJSON *list = cJSON_CreateArray();
    if (!list)
        return api_error_set(err, 500, "api_error", "out of memory");
    const cJSON *tool;
    cJSON_ArrayForEach(tool, tools) {
        if (!anthropic_tool_is_custom(tool))
            continue;
        const char *original = cJSON_GetObjectItemCaseSensitive(tool, "name")->valuestring;
        char upstream_name[TOOL_NAME_MAX + 1];
        int renamed = tool_name_for_upstream(original, upstream_name);
        if (has_spec_named(list, upstream_name))
            continue;
        cJSON *entry = spec_for(tool, upstream_name, original, max_description);
        if (!entry || (renamed && tool_name_map_add(name_map, upstream_name, original) != 0)) {
            cJSON_Delete(entry);
            cJSON_Delete(list);
            return api_error_set(err, 500, "api_error", "out of memory");
        }
        cJSON_AddItemToArray(list, entry);
        (*count)++;
    }
    if (*count == 0) {
        cJSON_Delete(list);
        return 0;
    }
    *specs = list;
    return 0;
}
