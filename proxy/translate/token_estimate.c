/* token_estimate.c: the count_tokens estimate (about one token per four characters).
 *
 * The upstream offers no tokenizer, and an estimate is what proxies of this kind answer for
 * /v1/messages/count_tokens; Claude Code uses it only to decide when to compact. Counting is in
 * characters (UTF-8 code points), so that non-Latin text is not counted three times over. */
#include "translate/token_count.h"
#include "translate/translate.h"
#include "util/utf8.h"

#include <stdlib.h>
#include <string.h>

typedef struct token_tally {
    size_t chars;
    size_t images;
} token_tally;

static void count_string(token_tally *tally, const cJSON *v)
{
    if (cJSON_IsString(v))
        tally->chars += utf8_char_count(v->valuestring, strlen(v->valuestring));
}

static void count_json(token_tally *tally, const cJSON *v)
{
    if (!v)
        return;
    char *printed = cJSON_PrintUnformatted(v);
    if (printed) {
        tally->chars += utf8_char_count(printed, strlen(printed));
        free(printed);
    }
}

static int block_is(const cJSON *block, const char *type)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(block, "type");
    return cJSON_IsString(t) && strcmp(t->valuestring, type) == 0;
}

static void count_blocks(token_tally *tally, const cJSON *content);

static void count_content(token_tally *tally, const cJSON *content)
{
    if (cJSON_IsString(content))
        count_string(tally, content);
    else if (cJSON_IsArray(content))
        count_blocks(tally, content);
}

static void count_blocks(token_tally *tally, const cJSON *content)
{
    const cJSON *block;
    cJSON_ArrayForEach(block, content) {
        if (block_is(block, "text")) {
            count_string(tally, cJSON_GetObjectItemCaseSensitive(block, "text"));
        } else if (block_is(block, "image")) {
            tally->images++;
        } else if (block_is(block, "tool_use")) {
            count_string(tally, cJSON_GetObjectItemCaseSensitive(block, "name"));
            count_json(tally, cJSON_GetObjectItemCaseSensitive(block, "input"));
        } else if (block_is(block, "tool_result")) {
            const cJSON *inner = cJSON_GetObjectItemCaseSensitive(block, "content");
            /* Nested content is one level deep in the API; deeper arrays are not walked. */
            if (cJSON_IsString(inner))
                count_string(tally, inner);
            else if (cJSON_IsArray(inner)) {
                const cJSON *part;
                cJSON_ArrayForEach(part, inner) {
                    if (block_is(part, "text"))
                        count_string(tally, cJSON_GetObjectItemCaseSensitive(part, "text"));
                    else if (block_is(part, "image"))
                        tally->images++;
                }
            }
        }
    }
}

static void count_tools(token_tally *tally, const cJSON *tools)
{
    const cJSON *tool;
    cJSON_ArrayForEach(tool, tools) {
        if (!anthropic_tool_is_custom(tool))
            continue;
        count_string(tally, cJSON_GetObjectItemCaseSensitive(tool, "name"));
        count_string(tally, cJSON_GetObjectItemCaseSensitive(tool, "description"));
        count_json(tally, cJSON_GetObjectItemCaseSensitive(tool, "input_schema"));
    }
}

long token_estimate_checked(const anthropic_fields *fields)
{
    token_tally tally = { 0, 0 };
    if (cJSON_IsString(fields->system)) {
        count_string(&tally, fields->system);
    } else {
        const cJSON *block;
        cJSON_ArrayForEach(block, fields->system)
            count_string(&tally, cJSON_GetObjectItemCaseSensitive(block, "text"));
    }
    const cJSON *message;
    cJSON_ArrayForEach(message, fields->messages)
        count_content(&tally, cJSON_GetObjectItemCaseSensitive(message, "content"));
    count_tools(&tally, fields->tools);

    size_t tokens = (tally.chars + TOKEN_ESTIMATE_CHARS_PER_TOKEN - 1) /
                        TOKEN_ESTIMATE_CHARS_PER_TOKEN +
                    tally.images * TOKEN_ESTIMATE_PER_IMAGE;
    if (tokens < 1)
        tokens = 1;
    if (tokens > (size_t)0x7fffffff)
        tokens = (size_t)0x7fffffff;
    return (long)tokens;
}

long translate_estimate_input_tokens(const cJSON *request, api_error *err)
{
    anthropic_fields fields;
    if (anthropic_check_request(request, &fields, err) != 0)
        return -1;
    return token_estimate_checked(&fields);
}
