/* request_check.c: outer-shape validation of Anthropic Messages requests; see request_check.h.
 *
 * Every check names the offending field in its message, so that a client author can fix the
 * request from the error alone. */
#include "translate/request_check.h"
#include "translate/translate_limits.h"

#include <string.h>

#define INVALID "invalid_request_error"

static const cJSON *optional_field(const cJSON *object, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(object, name);
    return cJSON_IsNull(v) ? NULL : v;
}

int json_integer_in_range(const cJSON *v, long lo, long hi, long *out)
{
    if (!cJSON_IsNumber(v))
        return 0;
    double d = v->valuedouble;
    if (!(d >= (double)lo && d <= (double)hi))
        return 0;
    long n = (long)d;
    if ((double)n != d)
        return 0;
    *out = n;
    return 1;
}

static int check_blocks(const cJSON *content, int index, api_error *err)
{
    int block_index = 0;
    const cJSON *block;
    cJSON_ArrayForEach(block, content) {
        if (!cJSON_IsObject(block))
            return api_error_set(err, 400, INVALID,
                                 "messages[%d].content[%d] must be an object", index, block_index);
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(block, "type");
        if (!cJSON_IsString(type))
            return api_error_set(err, 400, INVALID,
                                 "messages[%d].content[%d].type must be a string", index,
                                 block_index);
        block_index++;
    }
    return 0;
}

static int check_message(const cJSON *message, int index, api_error *err)
{
    if (!cJSON_IsObject(message))
        return api_error_set(err, 400, INVALID, "messages[%d] must be an object", index);
    const cJSON *role = cJSON_GetObjectItemCaseSensitive(message, "role");
    if (!cJSON_IsString(role))
        return api_error_set(err, 400, INVALID, "messages[%d].role must be a string", index);
    if (strcmp(role->valuestring, "user") != 0 && strcmp(role->valuestring, "assistant") != 0)
        return api_error_set(err, 400, INVALID,
                             "messages[%d].role must be \"user\" or \"assistant\", not \"%.40s\"",
                             index, role->valuestring);
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(message, "content");
    if (cJSON_IsString(content))
        return 0;
    if (!cJSON_IsArray(content))
        return api_error_set(err, 400, INVALID,
                             "messages[%d].content must be a string or an array of blocks", index);
    return check_blocks(content, index, err);
}

static int check_messages(const cJSON *messages, api_error *err)
{
    if (!cJSON_IsArray(messages))
        return api_error_set(err, 400, INVALID, "messages must be an array");
    int count = cJSON_GetArraySize(messages);
    if (count == 0)
        return api_error_set(err, 400, INVALID, "messages must not be empty");
    if (count > TRANSLATE_MAX_MESSAGES)
        return api_error_set(err, 413, "request_too_large",
                             "too many messages: %d > %d", count, TRANSLATE_MAX_MESSAGES);
    int index = 0;
    const cJSON *message;
    cJSON_ArrayForEach(message, messages) {
        if (check_message(message, index, err) != 0)
            return -1;
        index++;
    }
    return 0;
}

static int check_system(const cJSON *system, api_error *err)
{
    if (!system || cJSON_IsString(system))
        return 0;
    if (!cJSON_IsArray(system))
        return api_error_set(err, 400, INVALID,
                             "system must be a string or an array of text blocks");
    int index = 0;
    const cJSON *block;
    cJSON_ArrayForEach(block, system) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(block, "type");
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(block, "text");
        if (!cJSON_IsObject(block) || !cJSON_IsString(type) ||
            strcmp(type->valuestring, "text") != 0 || !cJSON_IsString(text))
            return api_error_set(err, 400, INVALID,
                                 "system[%d] must be {\"type\":\"text\",\"text\":\"...\"}", index);
        index++;
    }
    return 0;
}

int anthropic_tool_is_custom(const cJSON *tool)
{
    const cJSON *type = optional_field(tool, "type");
    return !type || (cJSON_IsString(type) && strcmp(type->valuestring, "custom") == 0);
}

static int check_tool(const cJSON *tool, int index, api_error *err)
{
    if (!cJSON_IsObject(tool))
        return api_error_set(err, 400, INVALID, "tools[%d] must be an object", index);
    const cJSON *type = optional_field(tool, "type");
    if (type && !cJSON_IsString(type))
        return api_error_set(err, 400, INVALID, "tools[%d].type must be a string", index);
    if (!anthropic_tool_is_custom(tool))
        return 0;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(tool, "name");
    if (!cJSON_IsString(name) || name->valuestring[0] == '\0')
        return api_error_set(err, 400, INVALID, "tools[%d].name must be a non-empty string", index);
    const cJSON *description = optional_field(tool, "description");
    if (description && !cJSON_IsString(description))
        return api_error_set(err, 400, INVALID, "tools[%d].description must be a string", index);
    const cJSON *schema = optional_field(tool, "input_schema");
    if (schema && !cJSON_IsObject(schema))
        return api_error_set(err, 400, INVALID, "tools[%d].input_schema must be an object", index);
    return 0;
}

static int check_tools(const cJSON *tools, api_error *err)
{
    if (!tools)
        return 0;
    if (!cJSON_IsArray(tools))
        return api_error_set(err, 400, INVALID, "tools must be an array");
    int count = cJSON_GetArraySize(tools);
    if (count > TRANSLATE_MAX_TOOLS)
        return api_error_set(err, 400, INVALID, "too many tools: %d > %d", count,
                             TRANSLATE_MAX_TOOLS);
    int index = 0;
    const cJSON *tool;
    cJSON_ArrayForEach(tool, tools) {
        if (check_tool(tool, index, err) != 0)
            return -1;
        index++;
    }
    return 0;
}

static int check_thinking(const cJSON *thinking, anthropic_fields *out, api_error *err)
{
    out->thinking = 0;
    out->thinking_budget = TRANSLATE_DEFAULT_THINKING_BUDGET;
    if (!thinking)
        return 0;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(thinking, "type");
    if (!cJSON_IsObject(thinking) || !cJSON_IsString(type))
        return api_error_set(err, 400, INVALID,
                             "thinking must be an object with a string \"type\"");
    if (strcmp(type->valuestring, "disabled") == 0)
        return 0;
    if (strcmp(type->valuestring, "enabled") != 0 && strcmp(type->valuestring, "adaptive") != 0)
        return api_error_set(err, 400, INVALID,
                             "thinking.type must be \"enabled\", \"adaptive\" or \"disabled\"");
    out->thinking = 1;
    const cJSON *budget = optional_field(thinking, "budget_tokens");
    if (budget && !json_integer_in_range(budget, 1, TRANSLATE_MAX_THINKING_BUDGET,
                                         &out->thinking_budget))
        return api_error_set(err, 400, INVALID,
                             "thinking.budget_tokens must be an integer from 1 to %d",
                             TRANSLATE_MAX_THINKING_BUDGET);
    return 0;
}

int anthropic_check_request(const cJSON *request, anthropic_fields *out, api_error *err)
{
    memset(out, 0, sizeof *out);
    if (!cJSON_IsObject(request))
        return api_error_set(err, 400, INVALID, "request body must be a JSON object");
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(request, "model");
    if (!cJSON_IsString(model) || model->valuestring[0] == '\0')
        return api_error_set(err, 400, INVALID, "model must be a non-empty string");
    out->model = model->valuestring;

    out->messages = cJSON_GetObjectItemCaseSensitive(request, "messages");
    if (!out->messages)
        return api_error_set(err, 400, INVALID, "messages is required");
    if (check_messages(out->messages, err) != 0)
        return -1;

    const cJSON *max_tokens = optional_field(request, "max_tokens");
    if (max_tokens &&
        !json_integer_in_range(max_tokens, 1, TRANSLATE_MAX_OUTPUT_TOKENS, &out->max_tokens))
        return api_error_set(err, 400, INVALID, "max_tokens must be an integer from 1 to %d",
                             TRANSLATE_MAX_OUTPUT_TOKENS);

    const cJSON *stream = optional_field(request, "stream");
    if (stream && !cJSON_IsBool(stream))
        return api_error_set(err, 400, INVALID, "stream must be a boolean");
    out->stream = cJSON_IsTrue(stream);

    out->system = optional_field(request, "system");
    if (check_system(out->system, err) != 0)
        return -1;
    out->tools = optional_field(request, "tools");
    if (check_tools(out->tools, err) != 0)
        return -1;
    return check_thinking(optional_field(request, "thinking"), out, err);
}

int anthropic_system_text(const cJSON *system, kbuf *out)
{
    if (cJSON_IsString(system))
        return kbuf_append_str(out, system->valuestring);
    const cJSON *block;
    cJSON_ArrayForEach(block, system) {
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(block, "text");
        if (!cJSON_IsString(text) || text->valuestring[0] == '\0')
            continue;
        int rc = KBUF_OK;
        if (out->len > 0)
            rc = kbuf_append_str(out, BLOCK_SEPARATOR);
        if (rc == KBUF_OK)
            rc = kbuf_append_str(out, text->valuestring);
        if (rc != KBUF_OK)
            return rc;
    }
    return KBUF_OK;
}
