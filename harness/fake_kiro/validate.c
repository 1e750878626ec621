/* validate.c: Kiro's "Improperly formed request" rules; see validate.h. */
#include "validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int reject(char *reason, size_t reason_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int reject(char *reason, size_t reason_size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, reason_size, fmt, ap);
    va_end(ap);
    return -1;
}

static const cJSON *child(const cJSON *node, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(node, key);
}

static const cJSON *user_message_of(const cJSON *request)
{
    return child(child(child(request, "conversationState"), "currentMessage"), "userInputMessage");
}

const char *fk_request_model_id(const cJSON *request)
{
    const cJSON *id = child(user_message_of(request), "modelId");
    return cJSON_IsString(id) ? id->valuestring : NULL;
}

/* 1 when an assistant turn among the first `before` history entries used this tool id. */
static int tool_use_seen(const cJSON *history, int before, const char *id)
{
    for (int i = 0; i < before; i++) {
        const cJSON *uses = child(child(cJSON_GetArrayItem(history, i), "assistantResponseMessage"),
                                  "toolUses");
        const cJSON *use_list = cJSON_IsArray(uses) ? uses : NULL;
        const cJSON *use;
        cJSON_ArrayForEach(use, use_list) {
            const cJSON *use_id = child(use, "toolUseId");
            if (cJSON_IsString(use_id) && strcmp(use_id->valuestring, id) == 0)
                return 1;
        }
    }
    return 0;
}

/* Checks a user message (current or from history): content and tool results. */
static int check_user_message(const cJSON *message, const char *where, const cJSON *history,
                              int before, char *reason, size_t reason_size)
{
    const cJSON *content = child(message, "content");
    if (!cJSON_IsString(content))
        return reject(reason, reason_size, "missing content in %s", where);
    if (content->valuestring[0] == '\0')
        return reject(reason, reason_size, "empty content in %s", where);
    const cJSON *context = child(message, "userInputMessageContext");
    if (context && !cJSON_IsObject(context))
        return reject(reason, reason_size, "userInputMessageContext in %s is not an object",
                      where);
    const cJSON *results = child(context, "toolResults");
    if (results && !cJSON_IsArray(results))
        return reject(reason, reason_size, "toolResults in %s is not an array", where);
    const cJSON *result;
    cJSON_ArrayForEach(result, results) {
        const cJSON *id = child(result, "toolUseId");
        if (!cJSON_IsString(id))
            return reject(reason, reason_size, "tool result without toolUseId in %s", where);
        if (!tool_use_seen(history, before, id->valuestring))
            return reject(reason, reason_size,
                          "toolResults in %s refer to unknown toolUseId %.64s", where,
                          id->valuestring);
    }
    return 0;
}

static int check_assistant_message(const cJSON *message, const char *where, char *reason,
                                   size_t reason_size)
{
    if (!cJSON_IsString(child(message, "content")))
        return reject(reason, reason_size, "missing content in %s", where);
    const cJSON *uses = child(message, "toolUses");
    if (uses && !cJSON_IsArray(uses))
        return reject(reason, reason_size, "toolUses in %s is not an array", where);
    const cJSON *use;
    cJSON_ArrayForEach(use, uses) {
        if (!cJSON_IsString(child(use, "toolUseId")) || !cJSON_IsString(child(use, "name")))
            return reject(reason, reason_size, "tool use without toolUseId or name in %s", where);
        if (!cJSON_IsObject(child(use, "input")))
            return reject(reason, reason_size, "tool use input in %s is not an object", where);
    }
    return 0;
}

static int check_history(const cJSON *state, char *reason, size_t reason_size)
{
    const cJSON *history = child(state, "history");
    if (!history)
        return 0;
    if (cJSON_IsNull(history))
        return reject(reason, reason_size, "history is null");
    if (!cJSON_IsArray(history))
        return reject(reason, reason_size, "history is not an array");
    int count = cJSON_GetArraySize(history);
    if (count == 0)
        return reject(reason, reason_size, "history is empty");
    int index = 0;
    const cJSON *turn;
    cJSON_ArrayForEach(turn, history) {
        char where[40];
        snprintf(where, sizeof where, "history[%d]", index);
        const cJSON *user = child(turn, "userInputMessage");
        const cJSON *assistant = child(turn, "assistantResponseMessage");
        int want_user = index % 2 == 0;
        if (cJSON_IsObject(user) == cJSON_IsObject(assistant))
            return reject(reason, reason_size, "%s is neither a user nor an assistant turn",
                          where);
        if (want_user != cJSON_IsObject(user))
            return reject(reason, reason_size,
                          "history roles do not alternate: %s should be a%s turn", where,
                          want_user ? " user" : "n assistant");
        int rc = want_user ? check_user_message(user, where, history, index, reason, reason_size)
                           : check_assistant_message(assistant, where, reason, reason_size);
        if (rc != 0)
            return rc;
        index++;
    }
    if (count % 2 != 0)
        return reject(reason, reason_size,
                      "history ends with a user turn (the current message must follow an "
                      "assistant turn)");
    return 0;
}

static int check_tools(const cJSON *context, char *reason, size_t reason_size)
{
    const cJSON *tools = child(context, "tools");
    if (!tools)
        return 0;
    if (!cJSON_IsArray(tools))
        return reject(reason, reason_size, "tools is not an array");
    int index = 0;
    const cJSON *tool;
    cJSON_ArrayForEach(tool, tools) {
        const cJSON *spec = child(tool, "toolSpecification");
        const cJSON *name = child(spec, "name");
        const cJSON *description = child(spec, "description");
        if (!cJSON_IsObject(spec))
            return reject(reason, reason_size, "tools[%d] has no toolSpecification", index);
        if (!cJSON_IsString(name) || name->valuestring[0] == '\0')
            return reject(reason, reason_size, "tools[%d] has no name", index);
        if (strlen(name->valuestring) > FK_MAX_TOOL_NAME)
            return reject(reason, reason_size, "tool name longer than %d characters: %.40s...",
                          FK_MAX_TOOL_NAME, name->valuestring);
        if (!cJSON_IsString(description) || description->valuestring[0] == '\0')
            return reject(reason, reason_size, "tool %.64s has no description",
                          name->valuestring);
        if (!cJSON_IsObject(child(child(spec, "inputSchema"), "json")))
            return reject(reason, reason_size, "tool %.64s has no inputSchema.json object",
                          name->valuestring);
        index++;
    }
    return 0;
}

int fk_validate_request(const cJSON *request, size_t body_bytes, char *reason, size_t reason_size)
{
    if (body_bytes > FK_MAX_UPSTREAM_BODY)
        return reject(reason, reason_size, "body of %zu bytes exceeds %d", body_bytes,
                      FK_MAX_UPSTREAM_BODY);
    if (!cJSON_IsObject(request))
        return reject(reason, reason_size, "body is not a JSON object");
    const cJSON *state = child(request, "conversationState");
    if (!cJSON_IsObject(state))
        return reject(reason, reason_size, "missing conversationState");
    const cJSON *current = child(state, "currentMessage");
    if (!cJSON_IsObject(current))
        return reject(reason, reason_size, "missing currentMessage");
    const cJSON *message = child(current, "userInputMessage");
    if (!cJSON_IsObject(message))
        return reject(reason, reason_size, "missing userInputMessage");
    const cJSON *model = child(message, "modelId");
    if (!cJSON_IsString(model) || model->valuestring[0] == '\0')
        return reject(reason, reason_size, "missing modelId");
    if (check_history(state, reason, reason_size) != 0)
        return -1;
    const cJSON *history = child(state, "history");
    int before = cJSON_IsArray(history) ? cJSON_GetArraySize(history) : 0;
    if (check_user_message(message, "currentMessage", history, before, reason, reason_size) != 0)
        return -1;
    return check_tools(child(message, "userInputMessageContext"), reason, reason_size);
}
