/* openai_json.c: the OpenAI chat completions non-streaming format (RW_OPENAI_JSON).
 *
 * One chat.completion object at the end: the text blocks joined as message.content (null when
 * there was none), thinking joined as reasoning_content, and tool calls with their arguments
 * as the JSON string OpenAI clients parse themselves ("{}" when the upstream sent none). */
#include "render/rw_internal.h"

#include <stdlib.h>

static int nothing(response_writer *w, kbuf *out)
{
    (void)w;
    (void)out;
    return 0;
}

/* All content of blocks of one kind, joined; 0 when there were none, 1 when joined, -1 on
 * failure. */
static int join_blocks(const response_writer *w, rw_block_kind kind, kbuf *joined)
{
    int found = 0;
    for (size_t i = 0; i < w->block_count; i++) {
        const rw_block *b = &w->blocks[i];
        if (b->kind != kind)
            continue;
        found = 1;
        if (kbuf_append(joined, b->content.data ? b->content.data : "", b->content.len) != KBUF_OK)
            return -1;
    }
    if (found && kbuf_reserve(joined, 0) != KBUF_OK)   /* data non-NULL even when empty */
        return -1;
    return found;
}

static cJSON *tool_calls(const response_writer *w)
{
    cJSON *calls = cJSON_CreateArray();
    for (size_t i = 0; i < w->block_count; i++) {
        const rw_block *b = &w->blocks[i];
        if (b->kind != RW_BLOCK_TOOL)
            continue;
        cJSON *call = cJSON_CreateObject();
        cJSON_AddItemToArray(calls, call);
        cJSON_AddStringToObject(call, "id", b->tool_id);
        cJSON_AddStringToObject(call, "type", "function");
        cJSON *fn = cJSON_AddObjectToObject(call, "function");
        cJSON_AddStringToObject(fn, "name", b->tool_name);
        cJSON_AddStringToObject(fn, "arguments", b->content.len ? b->content.data : "{}");
    }
    return calls;
}

static cJSON *message(const response_writer *w)
{
    cJSON *msg = cJSON_CreateObject();
    cJSON_AddStringToObject(msg, "role", "assistant");
    kbuf text = KBUF_INIT(RW_MAX_CONTENT_BYTES);
    kbuf thinking = KBUF_INIT(RW_MAX_CONTENT_BYTES);
    int has_text = join_blocks(w, RW_BLOCK_TEXT, &text);
    int has_thinking = join_blocks(w, RW_BLOCK_THINKING, &thinking);
    if (has_text < 0 || has_thinking < 0) {
        cJSON_Delete(msg);
        msg = NULL;
    } else {
        if (has_text)
            cJSON_AddStringToObject(msg, "content", text.data);
        else
            cJSON_AddNullToObject(msg, "content");
        if (has_thinking)
            cJSON_AddStringToObject(msg, "reasoning_content", thinking.data);
        if (w->tool_calls > 0)
            cJSON_AddItemToObject(msg, "tool_calls", tool_calls(w));
    }
    kbuf_free(&text);
    kbuf_free(&thinking);
    return msg;
}

static int finish(response_writer *w, kbuf *out)
{
    cJSON *msg = message(w);
    if (!msg)
        return rw_set_error(w, 502, "api_error", "response too large or out of memory");
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "id", w->id);
    cJSON_AddStringToObject(c, "object", "chat.completion");
    cJSON_AddNumberToObject(c, "created", (double)rw_created(w));
    cJSON_AddStringToObject(c, "model", w->model);
    cJSON *choices = cJSON_AddArrayToObject(c, "choices");
    cJSON *choice = cJSON_CreateObject();
    cJSON_AddItemToArray(choices, choice);
    cJSON_AddNumberToObject(choice, "index", 0);
    cJSON_AddItemToObject(choice, "message", msg);
    cJSON_AddStringToObject(choice, "finish_reason", rw_openai_finish_reason(w));
    usage_numbers numbers = rw_usage(w);
    usage_add_openai(cJSON_AddObjectToObject(c, "usage"), &numbers);
    if (rw_append_json(out, c) != 0)
        return rw_set_error(w, 502, "api_error", "response too large or out of memory");
    return 0;
}

static int fail(response_writer *w, const api_error *e, kbuf *out)
{
    (void)w;
    char *json = api_error_openai_json(e);
    int rc = json && kbuf_append_str(out, json) == KBUF_OK ? 0 : -1;
    free(json);
    return rc;
}

const rw_format_ops rw_openai_json_ops = {
    .keeps_content = 1,
    .begin = nothing,
    .block_start = NULL,
    .block_delta = NULL,
    .block_stop = NULL,
    .finish = finish,
    .fail = fail,
    .ping = nothing,
};
