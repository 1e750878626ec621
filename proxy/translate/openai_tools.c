/* openai_tools.c: OpenAI tool definitions and tool calls to their Anthropic forms.
 * See openai_parts.h for how broken tool call arguments are treated. */
#include "translate/openai_parts.h"
#include "translate/translate_limits.h"
#include "util/json_text.h"

#include <stdio.h>
#include <string.h>

#define INVALID "invalid_request_error"
#define OOM(err) api_error_set((err), 500, "api_error", "out of memory")

/* The arguments of a call as an object: parsed from a JSON string, copied from an object, or
 * {} when they are anything else. */
static cJSON *arguments_object(const cJSON *arguments)
{
    if (cJSON_IsObject(arguments))
        return cJSON_Duplicate(arguments, 1);
    if (cJSON_IsString(arguments)) {
        cJSON *parsed = cJSON_Parse(arguments->valuestring);
        if (cJSON_IsObject(parsed))
            return parsed;
        cJSON_Delete(parsed);
    }
    return cJSON_CreateObject();
}

static int add_tool_call(const cJSON *call, const char *path, cJSON *blocks, api_error *err)
{
    if (!cJSON_IsObject(call))
        return api_error_set(err, 400, INVALID, "%s must be an object", path);
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(call, "type");
    if (type && !cJSON_IsNull(type) &&
        (!cJSON_IsString(type) || strcmp(type->valuestring, "function") != 0))
        return api_error_set(err, 400, INVALID, "%s.type must be \"function\"", path);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(call, "id");
    const cJSON *function = cJSON_GetObjectItemCaseSensitive(call, "function");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(function, "name");
    if (!cJSON_IsString(id) || id->valuestring[0] == '\0')
        return api_error_set(err, 400, INVALID, "%s.id must be a non-empty string", path);
    if (!cJSON_IsObject(function) || !cJSON_IsString(name) || name->valuestring[0] == '\0')
        return api_error_set(err, 400, INVALID, "%s.function.name must be a non-empty string",
                             path);
    const cJSON *arguments = cJSON_GetObjectItemCaseSensitive(function, "arguments");
    if (cJSON_IsString(arguments) &&
        json_text_nul_escape(arguments->valuestring, strlen(arguments->valuestring)) >= 0)
        return api_error_set(err, 400, INVALID, "%s.function.arguments has \\u0000 (a NUL "
                             "character) in a JSON string: not accepted", path);
    cJSON *input = arguments_object(arguments);
    cJSON *block = cJSON_CreateObject();
    if (!input || !block || !cJSON_AddStringToObject(block, "type", "tool_use") ||
        !cJSON_AddStringToObject(block, "id", id->valuestring) ||
        !cJSON_AddStringToObject(block, "name", name->valuestring)) {
        cJSON_Delete(input);
        cJSON_Delete(block);
        return OOM(err);
    }
    cJSON_AddItemToObject(block, "input", input);
    cJSON_AddItemToArray(blocks, block);
    return 0;
}

int openai_tool_calls_blocks(const cJSON *tool_calls, const char *where, cJSON *blocks,
                             api_error *err)
{
    if (!tool_calls || cJSON_IsNull(tool_calls))
        return 0;
    if (!cJSON_IsArray(tool_calls))
        return api_error_set(err, 400, INVALID, "%s.tool_calls must be an array", where);
    int index = 0;
    const cJSON *call;
    cJSON_ArrayForEach(call, tool_calls) {
        char path[80];
        snprintf(path, sizeof path, "%s.tool_calls[%d]", where, index++);
        if (add_tool_call(call, path, blocks, err) != 0)
            return -1;
    }
    return 0;
}

/* {name, description?, parameters?} -> {name, description, input_schema} */
static int add_function(const cJSON *function, const char *path, cJSON *tools, api_error *err)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(function, "name");
    if (!cJSON_IsObject(function) || !cJSON_IsString(name) || name->valuestring[0] == '\0')
        return api_error_set(err, 400, INVALID, "%s needs a non-empty string name", path);
    const cJSON *description = cJSON_GetObjectItemCaseSensitive(function, "description");
    if (description && !cJSON_IsNull(description) && !cJSON_IsString(description))
        return api_error_set(err, 400, INVALID, "%s.description must be a string", path);
    const cJSON *parameters = cJSON_GetObjectItemCaseSensitive(function, "parameters");
    if (parameters && !cJSON_IsNull(parameters) && !cJSON_IsObject(parameters))
        return api_error_set(err, 400, INVALID, "%s.parameters must be an object", path);

    cJSON *tool = cJSON_CreateObject();
    cJSON *schema = cJSON_IsObject(parameters) ? cJSON_Duplicate(parameters, 1) : NULL;
    if (!schema && !cJSON_IsObject(parameters)) {
        schema = cJSON_CreateObject();
        if (schema && (!cJSON_AddStringToObject(schema, "type", "object") ||
                       !cJSON_AddObjectToObject(schema, "properties"))) {
            cJSON_Delete(schema);
            schema = NULL;
        }
    }
    if (!tool || !schema || !cJSON_AddStringToObject(tool, "name", name->valuestring) ||
        !cJSON_AddStringToObject(tool, "description",
                                 cJSON_IsString(description) ? description->valuestring : "")) {
        cJSON_Delete(schema);
        cJSON_Delete(tool);
        return OOM(err);
    }
    cJSON_AddItemToObject(tool, "input_schema", schema);
    cJSON_AddItemToArray(tools, tool);
    return 0;
}

static int add_tools_list(const cJSON *list, const char *field, int legacy, cJSON *tools,
                          api_error *err)
{
    if (!list || cJSON_IsNull(list))
        return 0;
    if (!cJSON_IsArray(list))
        return api_error_set(err, 400, INVALID, "%s must be an array", field);
    if (cJSON_GetArraySize(list) > TRANSLATE_MAX_TOOLS)
        return api_error_set(err, 400, INVALID, "too many %s: more than %d", field,
                             TRANSLATE_MAX_TOOLS);
    int index = 0;
    const cJSON *entry;
    cJSON_ArrayForEach(entry, list) {
        char path[48];
        snprintf(path, sizeof path, "%s[%d]", field, index++);
        if (!cJSON_IsObject(entry))
            return api_error_set(err, 400, INVALID, "%s must be an object", path);
        if (legacy) {
            if (add_function(entry, path, tools, err) != 0)
                return -1;
            continue;
        }
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(entry, "type");
        if (cJSON_IsString(type) && strcmp(type->valuestring, "function") != 0)
            continue; /* not a function tool: ignored, see openai_parts.h */
        char function_path[64];
        snprintf(function_path, sizeof function_path, "%s.function", path);
        if (add_function(cJSON_GetObjectItemCaseSensitive(entry, "function"), function_path,
                         tools, err) != 0)
            return -1;
    }
    return 0;
}

int openai_tools_to_anthropic(const cJSON *request, cJSON **tools, api_error *err)
{
    *tools = cJSON_CreateArray();
    if (!*tools)
        return OOM(err);
    if (add_tools_list(cJSON_GetObjectItemCaseSensitive(request, "tools"), "tools", 0, *tools,
                       err) != 0 ||
        add_tools_list(cJSON_GetObjectItemCaseSensitive(request, "functions"), "functions", 1,
                       *tools, err) != 0) {
        cJSON_Delete(*tools);
        *tools = NULL;
        return -1;
    }
    if (cJSON_GetArraySize(*tools) == 0) {
        cJSON_Delete(*tools);
        *tools = NULL;
    }
    return 0;
}
