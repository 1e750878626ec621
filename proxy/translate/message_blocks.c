/* message_blocks.c: conversion of one Anthropic message's content blocks; see message_blocks.h.
 *
 * Each block type has its own small function; errors name the block by its JSON path
 * (messages[i].content[j]) so that the client can find it. */
#include "translate/message_blocks.h"
#include "translate/tool_names.h"
#include "translate/translate_limits.h"
#include "translate/web_search_history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INVALID "invalid_request_error"
#define OOM(err) api_error_set((err), 500, "api_error", "out of memory")

typedef struct block_site {
    char path[64];          /* "messages[3].content[1]" for error messages */
    const block_context *ctx;
    turn *t;
} block_site;

static const char *string_field(const cJSON *object, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(object, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *nonempty_string_field(const cJSON *object, const char *name)
{
    const char *s = string_field(object, name);
    return s && s[0] != '\0' ? s : NULL;
}

static int add_text(const cJSON *block, block_site *site, api_error *err)
{
    const char *text = string_field(block, "text");
    if (!text)
        return api_error_set(err, 400, INVALID, "%s.text must be a string", site->path);
    return turn_append_text(site->t, text, strlen(text), BLOCK_SEPARATOR, err);
}

/* Upstream image format for an Anthropic media type, or NULL when unsupported. */
static const char *image_format(const char *media_type)
{
    static const char *const table[][2] = {
        { "image/png", "png" }, { "image/jpeg", "jpeg" }, { "image/jpg", "jpeg" },
        { "image/gif", "gif" }, { "image/webp", "webp" },
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(media_type, table[i][0]) == 0)
            return table[i][1];
    return NULL;
}

/* Validates an image block (at path) and adds its upstream form to the turn's images. */
/* 1 when data is standard base64 (RFC 4648 alphabet, '=' padding only at the end, length a
 * multiple of 4): the upstream decodes it, and a bad string would only come back as its opaque
 * "Improperly formed request". */
static int is_base64(const char *data, size_t len)
{
    if (len == 0 || len % 4 != 0)
        return 0;
    size_t pad = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c == '=') {
            pad++;
            continue;
        }
        if (pad)
            return 0; /* data after padding */
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/'))
            return 0;
    }
    return pad <= 2;
}

static int add_image(const cJSON *block, const char *path, turn *t, api_error *err)
{
    const cJSON *source = cJSON_GetObjectItemCaseSensitive(block, "source");
    if (!cJSON_IsObject(source))
        return api_error_set(err, 400, INVALID, "%s.source must be an object", path);
    const char *type = string_field(source, "type");
    if (!type || strcmp(type, "base64") != 0)
        return api_error_set(err, 400, INVALID,
                             "%s.source.type must be \"base64\": the upstream needs the "
                             "image bytes", path);
    const char *media_type = string_field(source, "media_type");
    const char *format = media_type ? image_format(media_type) : NULL;
    if (!format)
        return api_error_set(err, 400, INVALID,
                             "%s.source.media_type must be image/png, image/jpeg, image/gif or "
                             "image/webp", path);
    const char *data = nonempty_string_field(source, "data");
    if (!data)
        return api_error_set(err, 400, INVALID, "%s.source.data must be a non-empty string", path);
    size_t size = strlen(data);
    if (size > TRANSLATE_MAX_IMAGE_BYTES)
        return api_error_set(err, 413, "request_too_large",
                             "%s: image too large: %zu bytes > %u", path, size,
                             TRANSLATE_MAX_IMAGE_BYTES);
    if (!is_base64(data, size))
        return api_error_set(err, 400, INVALID, "%s.source.data is not valid base64", path);
    cJSON *image = cJSON_CreateObject();
    cJSON *image_source = cJSON_AddObjectToObject(image, "source");
    if (!image || !image_source || !cJSON_AddStringToObject(image, "format", format) ||
        !cJSON_AddStringToObject(image_source, "bytes", data)) {
        cJSON_Delete(image);
        return OOM(err);
    }
    return turn_list_add(&t->images, image, err);
}

static int add_tool_use_as_text(const char *name, const char *id, const cJSON *input,
                                block_site *site, api_error *err)
{
    char *printed = cJSON_PrintUnformatted(input);
    if (!printed)
        return OOM(err);
    kbuf line = KBUF_INIT(site->t->text.cap);
    int rc = kbuf_printf(&line, "[tool use %s (id %s)] ", name, id);
    if (rc == KBUF_OK)
        rc = kbuf_append_str(&line, printed);
    free(printed);
    int result = rc == KBUF_OK
                     ? turn_append_text(site->t, line.data, line.len, BLOCK_SEPARATOR, err)
                     : text_buffer_error(rc, site->t->text.cap, err);
    kbuf_free(&line);
    return result;
}

static int add_tool_use(const cJSON *block, block_site *site, api_error *err)
{
    const char *id = nonempty_string_field(block, "id");
    const char *name = nonempty_string_field(block, "name");
    if (!id || !name)
        return api_error_set(err, 400, INVALID, "%s needs a string id and name", site->path);
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(block, "input");
    if (input && !cJSON_IsNull(input) && !cJSON_IsObject(input))
        return api_error_set(err, 400, INVALID, "%s.input must be an object", site->path);
    cJSON *input_copy = cJSON_IsObject(input) ? cJSON_Duplicate(input, 1) : cJSON_CreateObject();
    if (!input_copy)
        return OOM(err);
    if (!site->ctx->tools_defined) {
        int rc = add_tool_use_as_text(name, id, input_copy, site, err);
        cJSON_Delete(input_copy);
        return rc;
    }
    char upstream_name[TOOL_NAME_MAX + 1];
    if (tool_name_for_upstream(name, upstream_name) &&
        tool_name_map_add(site->ctx->tool_name_map, upstream_name, name) != 0) {
        cJSON_Delete(input_copy);
        return OOM(err);
    }
    cJSON *use = cJSON_CreateObject();
    if (!use || !cJSON_AddStringToObject(use, "toolUseId", id) ||
        !cJSON_AddStringToObject(use, "name", upstream_name)) {
        cJSON_Delete(use);
        cJSON_Delete(input_copy);
        return OOM(err);
    }
    cJSON_AddItemToObject(use, "input", input_copy);
    return turn_list_add(&site->t->tool_uses, use, err);
}

/* The text of a tool result's content into out; images inside it go to the turn. */
static int tool_result_content(const cJSON *content, block_site *site, kbuf *out,
                               api_error *err)
{
    if (!content || cJSON_IsNull(content))
        return 0;
    if (cJSON_IsString(content)) {
        int rc = kbuf_append_str(out, content->valuestring);
        return rc == KBUF_OK ? 0 : text_buffer_error(rc, out->cap, err);
    }
    if (!cJSON_IsArray(content))
        return api_error_set(err, 400, INVALID,
                             "%s.content must be a string or an array of blocks", site->path);
    int index = 0;
    const cJSON *part;
    cJSON_ArrayForEach(part, content) {
        char path[96];
        snprintf(path, sizeof path, "%s.content[%d]", site->path, index++);
        const char *type = string_field(part, "type");
        if (!cJSON_IsObject(part) || !type)
            return api_error_set(err, 400, INVALID, "%s must be an object with a string type",
                                 path);
        if (strcmp(type, "image") == 0) {
            if (add_image(part, path, site->t, err) != 0)
                return -1;
            continue;
        }
        if (strcmp(type, "text") != 0)
            continue;
        const char *text = string_field(part, "text");
        if (!text)
            return api_error_set(err, 400, INVALID, "%s.text must be a string", path);
        int rc = out->len > 0 ? kbuf_append_str(out, BLOCK_SEPARATOR) : KBUF_OK;
        if (rc == KBUF_OK)
            rc = kbuf_append_str(out, text);
        if (rc != KBUF_OK)
            return text_buffer_error(rc, out->cap, err);
    }
    return 0;
}

static cJSON *structured_tool_result(const char *id, const char *text, int is_error)
{
    cJSON *result = cJSON_CreateObject();
    cJSON *content = cJSON_AddArrayToObject(result, "content");
    cJSON *entry = cJSON_CreateObject();
    if (!result || !content || !entry || !cJSON_AddStringToObject(result, "toolUseId", id) ||
        !cJSON_AddStringToObject(entry, "text", text) ||
        !cJSON_AddStringToObject(result, "status", is_error ? "error" : "success")) {
        cJSON_Delete(entry);
        cJSON_Delete(result);
        return NULL;
    }
    cJSON_AddItemToArray(content, entry);
    return result;
}

static int add_tool_result(const cJSON *block, block_site *site, api_error *err)
{
    const char *id = nonempty_string_field(block, "tool_use_id");
    if (!id)
        return api_error_set(err, 400, INVALID, "%s.tool_use_id must be a non-empty string",
                             site->path);
    const cJSON *is_error = cJSON_GetObjectItemCaseSensitive(block, "is_error");
    if (is_error && !cJSON_IsNull(is_error) && !cJSON_IsBool(is_error))
        return api_error_set(err, 400, INVALID, "%s.is_error must be a boolean", site->path);
    kbuf text = KBUF_INIT(site->t->text.cap);
    int rc = tool_result_content(cJSON_GetObjectItemCaseSensitive(block, "content"), site, &text,
                                 err);
    if (rc == 0) {
        /* Without tool definitions no toolUse precedes this result, so conversation_finish
         * turns it into text like any other unanswerable result. */
        const char *shown = text.len > 0 ? text.data : PLACEHOLDER_TOOL_OUTPUT;
        rc = turn_list_add(&site->t->tool_results,
                           structured_tool_result(id, shown, cJSON_IsTrue(is_error)), err);
    }
    kbuf_free(&text);
    return rc;
}

/* web_search server-tool blocks of an earlier answer, as text (web_search_history.h). */
static int add_web_search_history(const cJSON *block, block_site *site, api_error *err)
{
    kbuf text = KBUF_INIT(WEB_SEARCH_HISTORY_MAX_BYTES);
    int found = web_search_history_text(block, &text);
    int rc = found > 0 ? turn_append_text(site->t, text.data, text.len, BLOCK_SEPARATOR, err) : 0;
    kbuf_free(&text);
    return found < 0 ? api_error_set(err, 500, "api_error", "out of memory") : rc;
}

static int role_error(block_site *site, const char *type, const char *role, api_error *err)
{
    return api_error_set(err, 400, INVALID, "%s: %s blocks are only allowed in %s messages",
                         site->path, type, role);
}

static int add_block(const cJSON *block, block_site *site, api_error *err)
{
    const char *type = string_field(block, "type");
    int is_user = site->t->role == TURN_USER;
    if (strcmp(type, "text") == 0)
        return add_text(block, site, err);
    if (strcmp(type, "image") == 0)
        return is_user ? add_image(block, site->path, site->t, err)
                       : role_error(site, type, "user", err);
    if (strcmp(type, "tool_use") == 0)
        return is_user ? role_error(site, type, "assistant", err) : add_tool_use(block, site, err);
    if (strcmp(type, "tool_result") == 0)
        return is_user ? add_tool_result(block, site, err) : role_error(site, type, "user", err);
    return add_web_search_history(block, site, err);   /* else thinking and unknown: ignored */
}

int message_to_turn(const cJSON *message, int index, const block_context *ctx, turn *t,
                    api_error *err)
{
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(message, "content");
    if (cJSON_IsString(content))
        return turn_append_text(t, content->valuestring, strlen(content->valuestring), NULL, err);
    block_site site = { .ctx = ctx, .t = t };
    int block_index = 0;
    const cJSON *block;
    cJSON_ArrayForEach(block, content) {
        snprintf(site.path, sizeof site.path, "messages[%d].content[%d]", index, block_index++);
        if (add_block(block, &site, err) != 0)
            return -1;
    }
    return 0;
}
