/* conversation.c: turn list, merging and the whole-conversation rules; see conversation.h. */
#include "translate/conversation.h"
#include "translate/translate_limits.h"
#include "util/utf8.h"

#include <stdlib.h>
#include <string.h>

void turn_init(turn *t, turn_role role, size_t text_cap)
{
    memset(t, 0, sizeof *t);
    t->role = role;
    kbuf_init(&t->text, text_cap);
}

void turn_free(turn *t)
{
    kbuf_free(&t->text);
    cJSON_Delete(t->images);
    cJSON_Delete(t->tool_results);
    cJSON_Delete(t->tool_uses);
    t->images = t->tool_results = t->tool_uses = NULL;
}

int text_buffer_error(int kbuf_status, size_t cap, api_error *err)
{
    if (kbuf_status == KBUF_ERR_CAP)
        return api_error_set(err, 413, "request_too_large",
                             "request too large for the upstream: a message exceeds %zu bytes",
                             cap);
    return api_error_set(err, 500, "api_error", "out of memory");
}

int turn_append_text(turn *t, const char *text, size_t len, const char *separator,
                     api_error *err)
{
    if (len == 0)
        return 0;
    int rc = KBUF_OK;
    if (t->text.len > 0 && separator)
        rc = kbuf_append_str(&t->text, separator);
    if (rc == KBUF_OK)
        rc = kbuf_append(&t->text, text, len);
    return rc == KBUF_OK ? 0 : text_buffer_error(rc, t->text.cap, err);
}

/* "[tool result for <id>] <text>", the form of a result that cannot be sent structured. */
static int append_tool_result_text(turn *t, const char *tool_use_id, const char *text,
                                   int is_error, api_error *err)
{
    kbuf line = KBUF_INIT(t->text.cap);
    int rc = kbuf_printf(&line, "[tool result for %s] %s", tool_use_id,
                         is_error ? "(error) " : "");
    if (rc == KBUF_OK)
        rc = kbuf_append_str(&line, text);
    int result = rc == KBUF_OK ? turn_append_text(t, line.data, line.len, BLOCK_SEPARATOR, err)
                               : text_buffer_error(rc, t->text.cap, err);
    kbuf_free(&line);
    return result;
}

int turn_list_add(cJSON **list, cJSON *item, api_error *err)
{
    if (!item)
        return api_error_set(err, 500, "api_error", "out of memory");
    if (!*list && !(*list = cJSON_CreateArray())) {
        cJSON_Delete(item);
        return api_error_set(err, 500, "api_error", "out of memory");
    }
    cJSON_AddItemToArray(*list, item);
    return 0;
}

void conversation_init(conversation *c, size_t text_cap)
{
    memset(c, 0, sizeof *c);
    c->text_cap = text_cap;
}

void conversation_free(conversation *c)
{
    for (size_t i = 0; i < c->count; i++)
        turn_free(&c->turns[i]);
    free(c->turns);
    memset(c, 0, sizeof *c);
}

static int make_room(conversation *c, api_error *err)
{
    if (c->count < c->alloc)
        return 0;
    size_t alloc = c->alloc ? c->alloc * 2 : 16;
    turn *grown = realloc(c->turns, alloc * sizeof *grown);
    if (!grown)
        return api_error_set(err, 500, "api_error", "out of memory");
    c->turns = grown;
    c->alloc = alloc;
    return 0;
}

/* Moves every item of *from to the end of *to; *from ends NULL. */
static void move_list(cJSON **to, cJSON **from)
{
    if (!*from)
        return;
    if (!*to) {
        *to = *from;
        *from = NULL;
        return;
    }
    cJSON *item;
    while ((item = cJSON_DetachItemFromArray(*from, 0)) != NULL)
        cJSON_AddItemToArray(*to, item);
    cJSON_Delete(*from);
    *from = NULL;
}

static int merge_into(turn *into, turn *from, api_error *err)
{
    int rc = turn_append_text(into, from->text.data, from->text.len, TURN_SEPARATOR, err);
    if (rc == 0) {
        move_list(&into->images, &from->images);
        move_list(&into->tool_results, &from->tool_results);
        move_list(&into->tool_uses, &from->tool_uses);
    }
    turn_free(from);
    return rc;
}

int conversation_append(conversation *c, turn *t, api_error *err)
{
    if (c->count > 0 && c->turns[c->count - 1].role == t->role)
        return merge_into(&c->turns[c->count - 1], t, err);
    if (make_room(c, err) != 0) {
        turn_free(t);
        return -1;
    }
    c->turns[c->count++] = *t;
    turn_init(t, t->role, c->text_cap);
    return 0;
}

static int prepend_user_turn(conversation *c, api_error *err)
{
    if (make_room(c, err) != 0)
        return -1;
    memmove(&c->turns[1], &c->turns[0], c->count * sizeof c->turns[0]);
    turn_init(&c->turns[0], TURN_USER, c->text_cap);
    c->count++;
    return 0;
}

static int answers_tool_use(const turn *assistant, const char *tool_use_id)
{
    if (!assistant)
        return 0;
    const cJSON *use;
    cJSON_ArrayForEach(use, assistant->tool_uses) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(use, "toolUseId");
        if (cJSON_IsString(id) && strcmp(id->valuestring, tool_use_id) == 0)
            return 1;
    }
    return 0;
}

static int orphan_to_text(turn *t, cJSON *result, api_error *err)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(result, "toolUseId");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(result, "status");
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(result, "content");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(content, 0), "text");
    int is_error = cJSON_IsString(status) && strcmp(status->valuestring, "error") == 0;
    return append_tool_result_text(t, cJSON_IsString(id) ? id->valuestring : "",
                                        cJSON_IsString(text) ? text->valuestring : "", is_error,
                                        err);
}

/* Tool results of turns[index] that answer no toolUse of the preceding assistant turn. */
static int convert_orphan_results(conversation *c, size_t index, api_error *err)
{
    turn *t = &c->turns[index];
    const turn *previous = index > 0 ? &c->turns[index - 1] : NULL;
    cJSON *result = t->tool_results ? t->tool_results->child : NULL;
    while (result) {
        cJSON *next = result->next;
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(result, "toolUseId");
        if (!cJSON_IsString(id) || !answers_tool_use(previous, id->valuestring)) {
            cJSON *orphan = cJSON_DetachItemViaPointer(t->tool_results, result);
            int rc = orphan_to_text(t, orphan, err);
            cJSON_Delete(orphan);
            if (rc != 0)
                return -1;
        }
        result = next;
    }
    if (t->tool_results && cJSON_GetArraySize(t->tool_results) == 0) {
        cJSON_Delete(t->tool_results);
        t->tool_results = NULL;
    }
    return 0;
}

static int prepend_system(turn *t, const char *system, api_error *err)
{
    kbuf joined = KBUF_INIT(t->text.cap);
    int rc = kbuf_append_str(&joined, system);
    if (rc == KBUF_OK && t->text.len > 0)
        rc = kbuf_append_str(&joined, TURN_SEPARATOR);
    if (rc == KBUF_OK && t->text.len > 0)
        rc = kbuf_append(&joined, t->text.data, t->text.len);
    if (rc != KBUF_OK) {
        kbuf_free(&joined);
        return text_buffer_error(rc, t->text.cap, err);
    }
    kbuf_free(&t->text);
    t->text = joined;
    return 0;
}

static const char *placeholder_for(const turn *t)
{
    if (t->role == TURN_USER)
        return t->tool_results ? PLACEHOLDER_TOOL_RESULTS : PLACEHOLDER_USER;
    return t->tool_uses ? PLACEHOLDER_TOOL_USES : PLACEHOLDER_ASSISTANT;
}

static int fill_placeholder(turn *t, api_error *err)
{
    if (!utf8_is_blank(t->text.data ? t->text.data : "", t->text.len))
        return 0;
    kbuf_reset(&t->text);
    const char *placeholder = placeholder_for(t);
    return turn_append_text(t, placeholder, strlen(placeholder), NULL, err);
}

int conversation_finish(conversation *c, const char *system, api_error *err)
{
    if (c->count == 0 || c->turns[0].role != TURN_USER)
        if (prepend_user_turn(c, err) != 0)
            return -1;
    for (size_t i = 0; i < c->count; i++)
        if (c->turns[i].role == TURN_USER && c->turns[i].tool_results &&
            convert_orphan_results(c, i, err) != 0)
            return -1;
    if (system && system[0] != '\0' && prepend_system(&c->turns[0], system, err) != 0)
        return -1;
    for (size_t i = 0; i < c->count; i++)
        if (fill_placeholder(&c->turns[i], err) != 0)
            return -1;
    return 0;
}
