/* kiro_body.c: assembling the upstream request body; see kiro_body.h. */
#include "translate/kiro_body.h"
#include "translate/translate.h"
#include "translate/translate_limits.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

/* Adds *list to object under name and clears *list; an absent or empty list is dropped. */
static void add_list(cJSON *object, const char *name, cJSON **list)
{
    if (*list && cJSON_GetArraySize(*list) > 0)
        cJSON_AddItemToObject(object, name, *list);
    else
        cJSON_Delete(*list);
    *list = NULL;
}

/* {"userInputMessage":{content,modelId,origin,images?,userInputMessageContext?}} */
static cJSON *user_message(const char *content, turn *t, cJSON **tool_specs, const char *model_id)
{
    cJSON *wrapper = cJSON_CreateObject();
    cJSON *message = cJSON_AddObjectToObject(wrapper, "userInputMessage");
    if (!message || !cJSON_AddStringToObject(message, "content", content) ||
        !cJSON_AddStringToObject(message, "modelId", model_id) ||
        !cJSON_AddStringToObject(message, "origin", "AI_EDITOR")) {
        cJSON_Delete(wrapper);
        return NULL;
    }
    if (t)
        add_list(message, "images", &t->images);
    cJSON *context = cJSON_CreateObject();
    if (!context) {
        cJSON_Delete(wrapper);
        return NULL;
    }
    if (tool_specs)
        add_list(context, "tools", tool_specs);
    if (t)
        add_list(context, "toolResults", &t->tool_results);
    if (context->child)
        cJSON_AddItemToObject(message, "userInputMessageContext", context);
    else
        cJSON_Delete(context);
    return wrapper;
}

/* {"assistantResponseMessage":{content,toolUses?}} */
static cJSON *assistant_message(turn *t)
{
    cJSON *wrapper = cJSON_CreateObject();
    cJSON *message = cJSON_AddObjectToObject(wrapper, "assistantResponseMessage");
    const char *content = t->text.data ? t->text.data : "";
    if (!message || !cJSON_AddStringToObject(message, "content", content)) {
        cJSON_Delete(wrapper);
        return NULL;
    }
    add_list(message, "toolUses", &t->tool_uses);
    return wrapper;
}

static cJSON *history_entry(turn *t, const char *model_id)
{
    if (t->role == TURN_ASSISTANT)
        return assistant_message(t);
    return user_message(t->text.data ? t->text.data : "", t, NULL, model_id);
}

/* The current content: the thinking prefix (when asked for) followed by the turn's text. */
static char *current_content(const turn *current, const kiro_body_params *p)
{
    kbuf content = KBUF_INIT(0);
    int rc = KBUF_OK;
    if (p->thinking)
        rc = kbuf_printf(&content,
                         "<thinking_mode>enabled</thinking_mode>"
                         "<max_thinking_length>%ld</max_thinking_length>",
                         p->thinking_budget);
    if (rc == KBUF_OK)
        rc = current ? kbuf_append(&content, current->text.data, current->text.len)
                     : kbuf_append_str(&content, PLACEHOLDER_CONTINUE);
    if (rc != KBUF_OK) {
        kbuf_free(&content);
        return NULL;
    }
    return kbuf_detach(&content, NULL);
}

static cJSON *conversation_state(conversation *c, cJSON **tool_specs, const kiro_body_params *p)
{
    int ends_with_user = c->count > 0 && c->turns[c->count - 1].role == TURN_USER;
    size_t history_count = ends_with_user ? c->count - 1 : c->count;
    turn *current = ends_with_user ? &c->turns[c->count - 1] : NULL;

    cJSON *state = cJSON_CreateObject();
    if (!state || !cJSON_AddStringToObject(state, "agentContinuationId", p->continuation_id) ||
        !cJSON_AddStringToObject(state, "agentTaskType", "vibe") ||
        !cJSON_AddStringToObject(state, "chatTriggerType", "MANUAL") ||
        !cJSON_AddStringToObject(state, "conversationId", p->conversation_id))
        goto fail;
    if (history_count > 0) {
        cJSON *history = cJSON_AddArrayToObject(state, "history");
        if (!history)
            goto fail;
        for (size_t i = 0; i < history_count; i++) {
            cJSON *entry = history_entry(&c->turns[i], p->model_id);
            if (!entry)
                goto fail;
            cJSON_AddItemToArray(history, entry);
        }
    }
    char *content = current_content(current, p);
    cJSON *current_message =
        content ? user_message(content, current, tool_specs, p->model_id) : NULL;
    free(content);
    if (!current_message)
        goto fail;
    cJSON_AddItemToObject(state, "currentMessage", current_message);
    return state;
fail:
    cJSON_Delete(state);
    return NULL;
}

cJSON *kiro_body_build(conversation *c, cJSON *tool_specs, const kiro_body_params *p,
                       api_error *err)
{
    cJSON *body = cJSON_CreateObject();
    cJSON *state = body ? conversation_state(c, &tool_specs, p) : NULL;
    cJSON_Delete(tool_specs);
    if (!state) {
        cJSON_Delete(body);
        api_error_set(err, 500, "api_error", "out of memory");
        return NULL;
    }
    cJSON_AddItemToObject(body, "conversationState", state);
    if (p->profile_arn && !cJSON_AddStringToObject(body, "profileArn", p->profile_arn)) {
        cJSON_Delete(body);
        api_error_set(err, 500, "api_error", "out of memory");
        return NULL;
    }
    return body;
}

int kiro_request_body_for_account(const kiro_request *r, const char *profile_arn, char **out,
                                  size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (!r->body)
        return -1;
    if (!profile_arn || !*profile_arn) {
        char *copy = malloc(r->body_len + 1);
        if (!copy)
            return -1;
        memcpy(copy, r->body, r->body_len);
        copy[r->body_len] = '\0';
        *out = copy;
        *out_len = r->body_len;
        return 0;
    }
    cJSON *root = cJSON_ParseWithLength(r->body, r->body_len);
    cJSON *arn = cJSON_IsObject(root) ? cJSON_CreateString(profile_arn) : NULL;
    int ok = arn != NULL;
    if (ok && cJSON_GetObjectItemCaseSensitive(root, "profileArn"))
        ok = cJSON_ReplaceItemInObjectCaseSensitive(root, "profileArn", arn);
    else if (ok)
        ok = cJSON_AddItemToObject(root, "profileArn", arn);
    if (!ok)
        cJSON_Delete(arn);
    char *text = ok ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (!text)
        return -1;
    *out = text;
    *out_len = strlen(text);
    return 0;
}
