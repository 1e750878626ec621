/* openai_content.c: OpenAI message content (strings and parts) to Anthropic blocks.
 * See openai_parts.h for the choices made about image URLs and unknown parts. */
#include "translate/openai_parts.h"

#include <stdio.h>
#include <string.h>

#define INVALID "invalid_request_error"
#define OOM(err) api_error_set((err), 500, "api_error", "out of memory")

static const char *part_type(const cJSON *part)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(part, "type");
    return cJSON_IsString(type) ? type->valuestring : NULL;
}

static int add_text_block(cJSON *blocks, const char *text, api_error *err)
{
    cJSON *block = cJSON_CreateObject();
    if (!block || !cJSON_AddStringToObject(block, "type", "text") ||
        !cJSON_AddStringToObject(block, "text", text)) {
        cJSON_Delete(block);
        return OOM(err);
    }
    cJSON_AddItemToArray(blocks, block);
    return 0;
}

/* {"type":"image","source":{"type":"base64","media_type":...,"data":...}} from a data URL. */
static int add_image_block(cJSON *blocks, const char *url, const char *path, api_error *err)
{
    if (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0)
        return api_error_set(err, 400, INVALID,
                             "%s: image URLs are not supported; send the image as a "
                             "data:image/...;base64 URL", path);
    static const char marker[] = ";base64,";
    const char *comma = strstr(url, marker);
    if (strncmp(url, "data:", 5) != 0 || !comma || comma - (url + 5) >= 64 || comma == url + 5)
        return api_error_set(err, 400, INVALID,
                             "%s: image_url must be a data:<media type>;base64,<data> URL", path);
    char media_type[64];
    snprintf(media_type, sizeof media_type, "%.*s", (int)(comma - (url + 5)), url + 5);
    cJSON *block = cJSON_CreateObject();
    cJSON *source = cJSON_AddObjectToObject(block, "source");
    if (!block || !source || !cJSON_AddStringToObject(block, "type", "image") ||
        !cJSON_AddStringToObject(source, "type", "base64") ||
        !cJSON_AddStringToObject(source, "media_type", media_type) ||
        !cJSON_AddStringToObject(source, "data", comma + sizeof marker - 1)) {
        cJSON_Delete(block);
        return OOM(err);
    }
    cJSON_AddItemToArray(blocks, block);
    return 0;
}

static const char *image_url_of(const cJSON *part)
{
    const cJSON *image_url = cJSON_GetObjectItemCaseSensitive(part, "image_url");
    if (cJSON_IsString(image_url))
        return image_url->valuestring;
    const cJSON *url = cJSON_GetObjectItemCaseSensitive(image_url, "url");
    return cJSON_IsString(url) ? url->valuestring : NULL;
}

static int add_part(const cJSON *part, const char *path, int allow_images, cJSON *blocks,
                    api_error *err)
{
    const char *type = part_type(part);
    if (!cJSON_IsObject(part) || !type)
        return api_error_set(err, 400, INVALID, "%s must be an object with a string type", path);
    if (strcmp(type, "text") == 0 || strcmp(type, "refusal") == 0) {
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(part, type);
        if (!cJSON_IsString(text))
            return api_error_set(err, 400, INVALID, "%s.%s must be a string", path, type);
        return add_text_block(blocks, text->valuestring, err);
    }
    if (strcmp(type, "image_url") == 0) {
        if (!allow_images)
            return api_error_set(err, 400, INVALID, "%s: images are only allowed in user messages",
                                 path);
        const char *url = image_url_of(part);
        if (!url)
            return api_error_set(err, 400, INVALID, "%s.image_url.url must be a string", path);
        return add_image_block(blocks, url, path, err);
    }
    return 0; /* other part types are ignored; see openai_parts.h */
}

int openai_content_blocks(const cJSON *content, const char *where, int allow_images,
                          cJSON *blocks, api_error *err)
{
    if (!content || cJSON_IsNull(content))
        return 0;
    if (cJSON_IsString(content))
        return content->valuestring[0] ? add_text_block(blocks, content->valuestring, err) : 0;
    if (!cJSON_IsArray(content))
        return api_error_set(err, 400, INVALID,
                             "%s.content must be a string, null or an array of parts", where);
    int index = 0;
    const cJSON *part;
    cJSON_ArrayForEach(part, content) {
        char path[80];
        snprintf(path, sizeof path, "%s.content[%d]", where, index++);
        if (add_part(part, path, allow_images, blocks, err) != 0)
            return -1;
    }
    return 0;
}

int openai_content_text(const cJSON *content, const char *where, kbuf *out, api_error *err)
{
    cJSON *blocks = cJSON_CreateArray();
    if (!blocks)
        return OOM(err);
    int rc = openai_content_blocks(content, where, 0, blocks, err);
    const cJSON *block;
    cJSON_ArrayForEach(block, blocks) {
        if (rc != 0)
            break;
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(block, "text");
        int status = out->len > 0 ? kbuf_append_char(out, '\n') : KBUF_OK;
        if (status == KBUF_OK)
            status = kbuf_append_str(out, text->valuestring);
        if (status != KBUF_OK)
            rc = status == KBUF_ERR_CAP
                     ? api_error_set(err, 413, "request_too_large", "%s: text too large", where)
                     : OOM(err);
    }
    cJSON_Delete(blocks);
    return rc;
}
