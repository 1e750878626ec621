/* message_sse.c: a finished Anthropic message as streaming events; see message_sse.h. */
#include "render/message_sse.h"

#include <stdlib.h>
#include <string.h>

#include "render/rw_internal.h"

static cJSON *typed(const char *type)
{
    cJSON *o = cJSON_CreateObject();
    if (!cJSON_AddStringToObject(o, "type", type)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static const char *string_of(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Byte length of the first max_chars characters of UTF-8 text. */
static size_t prefix_chars(const char *s, size_t max_chars)
{
    size_t i = 0, chars = 0;
    for (; s[i]; i++) {
        if (((unsigned char)s[i] & 0xc0) != 0x80) {
            if (chars == max_chars)
                break;
            chars++;
        }
    }
    return i;
}

/* content_block_delta {index, delta {type: delta_type, field: value}}. */
static int delta(kbuf *out, int index, const char *delta_type, const char *field, const char *value)
{
    cJSON *event = typed("content_block_delta");
    cJSON *d = typed(delta_type);
    if (!event || !d || !cJSON_AddNumberToObject(event, "index", index) ||
        !cJSON_AddStringToObject(d, field, value) || !cJSON_AddItemToObject(event, "delta", d)) {
        cJSON_Delete(d);
        cJSON_Delete(event);
        return -1;
    }
    return rw_append_sse_json(out, "content_block_delta", event);
}

static int text_deltas(kbuf *out, int index, const char *delta_type, const char *field,
                       const char *text)
{
    while (*text) {
        size_t n = prefix_chars(text, MESSAGE_SSE_TEXT_PIECE);
        char *piece = bytes_dup(text, n);
        int rc = piece ? delta(out, index, delta_type, field, piece) : -1;
        free(piece);
        if (rc != 0)
            return -1;
        text += n;
    }
    return 0;
}

/* b when ok, else NULL (b deleted). */
static cJSON *kept_if(cJSON *b, int ok)
{
    if (ok)
        return b;
    cJSON_Delete(b);
    return NULL;
}

/* What content_block_start shows for a block: streamed blocks start empty, the rest whole. */
static cJSON *opening_of(const cJSON *block, const char *type)
{
    if (strcmp(type, "text") == 0) {
        cJSON *b = typed("text");
        return kept_if(b, b && cJSON_AddStringToObject(b, "text", ""));
    }
    if (strcmp(type, "thinking") == 0) {
        cJSON *b = typed("thinking");
        return kept_if(b, b && cJSON_AddStringToObject(b, "thinking", "") &&
                              cJSON_AddStringToObject(b, "signature", ""));
    }
    if (strcmp(type, "tool_use") == 0) {
        cJSON *b = typed("tool_use");
        const char *id = string_of(block, "id"), *name = string_of(block, "name");
        return kept_if(b, b && cJSON_AddStringToObject(b, "id", id ? id : "") &&
                              cJSON_AddStringToObject(b, "name", name ? name : "") &&
                              cJSON_AddObjectToObject(b, "input"));
    }
    return cJSON_Duplicate(block, 1);
}

static int block_deltas(const cJSON *block, const char *type, int index, kbuf *out)
{
    if (strcmp(type, "text") == 0) {
        const char *text = string_of(block, "text");
        return text_deltas(out, index, "text_delta", "text", text ? text : "");
    }
    if (strcmp(type, "thinking") == 0) {
        const char *thinking = string_of(block, "thinking");
        const char *signature = string_of(block, "signature");
        if (text_deltas(out, index, "thinking_delta", "thinking", thinking ? thinking : "") != 0)
            return -1;
        return delta(out, index, "signature_delta", "signature", signature ? signature : "");
    }
    if (strcmp(type, "tool_use") == 0) {
        const cJSON *input = cJSON_GetObjectItemCaseSensitive(block, "input");
        char *json = input ? cJSON_PrintUnformatted(input) : NULL;
        int rc = delta(out, index, "input_json_delta", "partial_json", json ? json : "{}");
        cJSON_free(json);
        return rc;
    }
    return 0;
}

static int render_block(const cJSON *block, int index, kbuf *out)
{
    const char *type = string_of(block, "type");
    if (!type)
        return -1;
    cJSON *start = typed("content_block_start");
    cJSON *opening = opening_of(block, type);
    if (!start || !opening || !cJSON_AddNumberToObject(start, "index", index) ||
        !cJSON_AddItemToObject(start, "content_block", opening)) {
        cJSON_Delete(opening);
        cJSON_Delete(start);
        return -1;
    }
    if (rw_append_sse_json(out, "content_block_start", start) != 0 ||
        block_deltas(block, type, index, out) != 0)
        return -1;
    cJSON *stop = typed("content_block_stop");
    if (!stop || !cJSON_AddNumberToObject(stop, "index", index)) {
        cJSON_Delete(stop);
        return -1;
    }
    return rw_append_sse_json(out, "content_block_stop", stop);
}

/* obj[name] = item, whether or not obj had that member (item is taken over). */
static void set_member(cJSON *obj, const char *name, cJSON *item)
{
    cJSON_DeleteItemFromObjectCaseSensitive(obj, name);
    if (!item || !cJSON_AddItemToObject(obj, name, item))
        cJSON_Delete(item);
}

/* message_start: the message with an empty content list, no stop reason, no output yet. */
static int render_start(const cJSON *message, kbuf *out)
{
    cJSON *m = cJSON_Duplicate(message, 1);
    if (!m)
        return -1;
    set_member(m, "content", cJSON_CreateArray());
    set_member(m, "stop_reason", cJSON_CreateNull());
    cJSON *usage = cJSON_GetObjectItemCaseSensitive(m, "usage");
    if (cJSON_IsObject(usage)) {
        cJSON_DeleteItemFromObjectCaseSensitive(usage, "server_tool_use");
        set_member(usage, "output_tokens", cJSON_CreateNumber(0));
    }
    cJSON *event = typed("message_start");
    if (!event || !cJSON_AddItemToObject(event, "message", m)) {
        cJSON_Delete(event);
        cJSON_Delete(m);
        return -1;
    }
    return rw_append_sse_json(out, "message_start", event);
}

static int render_end(const cJSON *message, kbuf *out)
{
    const char *stop_reason = string_of(message, "stop_reason");
    const cJSON *usage = cJSON_GetObjectItemCaseSensitive(message, "usage");
    cJSON *event = typed("message_delta");
    cJSON *d = cJSON_AddObjectToObject(event, "delta");
    cJSON *u = cJSON_IsObject(usage) ? cJSON_Duplicate(usage, 1) : cJSON_CreateObject();
    if (!d || !u ||
        !cJSON_AddStringToObject(d, "stop_reason", stop_reason ? stop_reason : "end_turn") ||
        !cJSON_AddNullToObject(d, "stop_sequence") || !cJSON_AddItemToObject(event, "usage", u)) {
        cJSON_Delete(u);
        cJSON_Delete(event);
        return -1;
    }
    if (rw_append_sse_json(out, "message_delta", event) != 0)
        return -1;
    return rw_append_sse_json(out, "message_stop", typed("message_stop"));
}

int message_sse_render(const cJSON *message, kbuf *out)
{
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(message, "content");
    if (!cJSON_IsObject(message) || !cJSON_IsArray(content))
        return -1;
    if (render_start(message, out) != 0)
        return -1;
    int index = 0;
    const cJSON *block;
    cJSON_ArrayForEach(block, content)
    {
        if (render_block(block, index++, out) != 0)
            return -1;
    }
    return render_end(message, out);
}
