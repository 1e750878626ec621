/* openai_to_anthropic.c: an OpenAI chat.completions request to an Anthropic Messages request.
 *
 * The OpenAI surface is served by translating into the Anthropic form once and then reusing the
 * one Anthropic -> Kiro translation, so that every upstream rule lives in one place. Roles:
 * system/developer -> "system" (joined with a blank line), user, assistant (text and
 * tool_calls -> tool_use blocks), tool -> tool_result blocks of a user message (consecutive
 * tool messages share one user message). The legacy "function" role and "function_call" field
 * answer 400. Sampling fields (temperature, top_p, ...) are ignored. */
#include "translate/translate.h"
#include "translate/openai_parts.h"
#include "translate/translate_limits.h"

#include <stdio.h>
#include <string.h>

#include "util/buf.h"

#define INVALID "invalid_request_error"
#define OOM(err) api_error_set((err), 500, "api_error", "out of memory")

typedef struct openai_conversion {
    cJSON *messages;          /* Anthropic messages being built */
    kbuf system;
    cJSON *tool_turn;         /* content of the user message that collects tool results */
} openai_conversion;

/* Adds {"role":role,"content":blocks}; takes blocks. Returns the content array or NULL. */
static cJSON *add_message(openai_conversion *conv, const char *role, cJSON *blocks)
{
    cJSON *message = cJSON_CreateObject();
    if (!message || !blocks || !cJSON_AddStringToObject(message, "role", role)) {
        cJSON_Delete(message);
        cJSON_Delete(blocks);
        return NULL;
    }
    cJSON_AddItemToObject(message, "content", blocks);
    cJSON_AddItemToArray(conv->messages, message);
    return blocks;
}

static int convert_system(const cJSON *message, const char *where, openai_conversion *conv,
                          api_error *err)
{
    kbuf text = KBUF_INIT(TRANSLATE_MAX_TEXT_BYTES);
    int rc = openai_content_text(cJSON_GetObjectItemCaseSensitive(message, "content"), where,
                                 &text, err);
    if (rc == 0 && text.len > 0) {
        int status = conv->system.len > 0 ? kbuf_append_str(&conv->system, TURN_SEPARATOR)
                                          : KBUF_OK;
        if (status == KBUF_OK)
            status = kbuf_append(&conv->system, text.data, text.len);
        if (status != KBUF_OK)
            rc = status == KBUF_ERR_CAP ? api_error_set(err, 413, "request_too_large",
                                                        "system prompt too large")
                                        : OOM(err);
    }
    kbuf_free(&text);
    return rc;
}

static int convert_user(const cJSON *message, const char *where, openai_conversion *conv,
                        api_error *err)
{
    cJSON *blocks = cJSON_CreateArray();
    if (!blocks)
        return OOM(err);
    if (openai_content_blocks(cJSON_GetObjectItemCaseSensitive(message, "content"), where, 1,
                              blocks, err) != 0) {
        cJSON_Delete(blocks);
        return -1;
    }
    return add_message(conv, "user", blocks) ? 0 : OOM(err);
}

static int convert_assistant(const cJSON *message, const char *where, openai_conversion *conv,
                             api_error *err)
{
    const cJSON *function_call = cJSON_GetObjectItemCaseSensitive(message, "function_call");
    if (function_call && !cJSON_IsNull(function_call))
        return api_error_set(err, 400, INVALID,
                             "%s: legacy function_call is not supported; use tool_calls", where);
    cJSON *blocks = cJSON_CreateArray();
    if (!blocks)
        return OOM(err);
    if (openai_content_blocks(cJSON_GetObjectItemCaseSensitive(message, "content"), where, 0,
                              blocks, err) != 0 ||
        openai_tool_calls_blocks(cJSON_GetObjectItemCaseSensitive(message, "tool_calls"), where,
                                 blocks, err) != 0) {
        cJSON_Delete(blocks);
        return -1;
    }
    return add_message(conv, "assistant", blocks) ? 0 : OOM(err);
}

static cJSON *tool_result_block(const char *tool_use_id, const char *text)
{
    cJSON *block = cJSON_CreateObject();
    if (!block || !cJSON_AddStringToObject(block, "type", "tool_result") ||
        !cJSON_AddStringToObject(block, "tool_use_id", tool_use_id) ||
        !cJSON_AddStringToObject(block, "content", text)) {
        cJSON_Delete(block);
        return NULL;
    }
    return block;
}

static int convert_tool(const cJSON *message, const char *where, openai_conversion *conv,
                        api_error *err)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(message, "tool_call_id");
    if (!cJSON_IsString(id) || id->valuestring[0] == '\0')
        return api_error_set(err, 400, INVALID, "%s.tool_call_id must be a non-empty string",
                             where);
    kbuf text = KBUF_INIT(TRANSLATE_MAX_TEXT_BYTES);
    if (openai_content_text(cJSON_GetObjectItemCaseSensitive(message, "content"), where, &text,
                            err) != 0) {
        kbuf_free(&text);
        return -1;
    }
    cJSON *block = tool_result_block(id->valuestring, text.data ? text.data : "");
    kbuf_free(&text);
    if (!block)
        return OOM(err);
    if (!conv->tool_turn && !(conv->tool_turn = add_message(conv, "user", cJSON_CreateArray()))) {
        cJSON_Delete(block);
        return OOM(err);
    }
    cJSON_AddItemToArray(conv->tool_turn, block);
    return 0;
}

static int convert_message(const cJSON *message, int index, openai_conversion *conv,
                           api_error *err)
{
    char where[32];
    snprintf(where, sizeof where, "messages[%d]", index);
    if (!cJSON_IsObject(message))
        return api_error_set(err, 400, INVALID, "%s must be an object", where);
    const cJSON *role_item = cJSON_GetObjectItemCaseSensitive(message, "role");
    if (!cJSON_IsString(role_item))
        return api_error_set(err, 400, INVALID, "%s.role must be a string", where);
    const char *role = role_item->valuestring;
    if (strcmp(role, "tool") == 0)
        return convert_tool(message, where, conv, err);
    if (strcmp(role, "system") == 0 || strcmp(role, "developer") == 0)
        return convert_system(message, where, conv, err); /* does not end a run of tool results */
    conv->tool_turn = NULL;
    if (strcmp(role, "user") == 0)
        return convert_user(message, where, conv, err);
    if (strcmp(role, "assistant") == 0)
        return convert_assistant(message, where, conv, err);
    return api_error_set(err, 400, INVALID,
                         "%s.role must be system, developer, user, assistant or tool, not "
                         "\"%.40s\"", where, role);
}

static int convert_messages(const cJSON *messages, openai_conversion *conv, api_error *err)
{
    if (!cJSON_IsArray(messages))
        return api_error_set(err, 400, INVALID, "messages must be an array");
    int count = cJSON_GetArraySize(messages);
    if (count > TRANSLATE_MAX_MESSAGES)
        return api_error_set(err, 413, "request_too_large", "too many messages: %d > %d", count,
                             TRANSLATE_MAX_MESSAGES);
    int index = 0;
    const cJSON *message;
    cJSON_ArrayForEach(message, messages)
        if (convert_message(message, index++, conv, err) != 0)
            return -1;
    if (cJSON_GetArraySize(conv->messages) == 0)
        return api_error_set(err, 400, INVALID,
                             "messages must contain at least one user or assistant message");
    return 0;
}

/* max_completion_tokens (preferred) or max_tokens, copied when present. */
static int copy_max_tokens(const cJSON *request, cJSON *out, api_error *err)
{
    const char *names[] = { "max_completion_tokens", "max_tokens" };
    for (size_t i = 0; i < 2; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(request, names[i]);
        if (!v || cJSON_IsNull(v))
            continue;
        if (!cJSON_IsNumber(v))
            return api_error_set(err, 400, INVALID, "%s must be an integer", names[i]);
        return cJSON_AddNumberToObject(out, "max_tokens", v->valuedouble) ? 0 : OOM(err);
    }
    return 0;
}

static int copy_scalars(const cJSON *request, cJSON *out, api_error *err)
{
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(request, "model");
    if (!cJSON_IsString(model) || model->valuestring[0] == '\0')
        return api_error_set(err, 400, INVALID, "model must be a non-empty string");
    if (!cJSON_AddStringToObject(out, "model", model->valuestring))
        return OOM(err);
    const cJSON *stream = cJSON_GetObjectItemCaseSensitive(request, "stream");
    if (stream && !cJSON_IsNull(stream)) {
        if (!cJSON_IsBool(stream))
            return api_error_set(err, 400, INVALID, "stream must be a boolean");
        if (!cJSON_AddBoolToObject(out, "stream", cJSON_IsTrue(stream)))
            return OOM(err);
    }
    return copy_max_tokens(request, out, err);
}

static int build(const cJSON *request, cJSON *out, openai_conversion *conv, api_error *err)
{
    if (copy_scalars(request, out, err) != 0)
        return -1;
    conv->messages = cJSON_AddArrayToObject(out, "messages");
    if (!conv->messages)
        return OOM(err);
    if (convert_messages(cJSON_GetObjectItemCaseSensitive(request, "messages"), conv, err) != 0)
        return -1;
    if (conv->system.len > 0 && !cJSON_AddStringToObject(out, "system", conv->system.data))
        return OOM(err);
    cJSON *tools;
    if (openai_tools_to_anthropic(request, &tools, err) != 0)
        return -1;
    if (tools)
        cJSON_AddItemToObject(out, "tools", tools);
    return 0;
}

cJSON *translate_openai_to_anthropic(const cJSON *request, api_error *err)
{
    if (!cJSON_IsObject(request)) {
        api_error_set(err, 400, INVALID, "request body must be a JSON object");
        return NULL;
    }
    cJSON *out = cJSON_CreateObject();
    if (!out) {
        OOM(err);
        return NULL;
    }
    openai_conversion conv = { .messages = NULL,
                               .system = KBUF_INIT(TRANSLATE_MAX_TEXT_BYTES),
                               .tool_turn = NULL };
    int rc = build(request, out, &conv, err);
    kbuf_free(&conv.system);
    if (rc != 0) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}
