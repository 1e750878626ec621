/* openai_sse.c: the OpenAI chat completions streaming format (RW_OPENAI_SSE).
 *
 * Every piece is a chat.completion.chunk with one choice: the first carries the role, text
 * goes to "content", thinking to "reasoning_content", a tool call starts with its id and name
 * and continues with argument fragments under its tool_calls index. The last chunk has an
 * empty delta, the finish_reason and usage, then "data: [DONE]". A failure is an error object
 * on a data line and no [DONE]. */
#include "render/rw_internal.h"

#include <stdlib.h>

/* A chunk whose single choice has the given delta (taken over) and finish reason. */
static cJSON *chunk(const response_writer *w, cJSON *delta, const char *finish_reason)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "id", w->id);
    cJSON_AddStringToObject(c, "object", "chat.completion.chunk");
    cJSON_AddNumberToObject(c, "created", (double)rw_created(w));
    cJSON_AddStringToObject(c, "model", w->model);
    cJSON *choices = cJSON_AddArrayToObject(c, "choices");
    cJSON *choice = cJSON_CreateObject();
    cJSON_AddItemToArray(choices, choice);
    cJSON_AddNumberToObject(choice, "index", 0);
    if (delta)
        cJSON_AddItemToObject(choice, "delta", delta);
    if (finish_reason)
        cJSON_AddStringToObject(choice, "finish_reason", finish_reason);
    else
        cJSON_AddNullToObject(choice, "finish_reason");
    return c;
}

static int begin(response_writer *w, kbuf *out)
{
    cJSON *delta = cJSON_CreateObject();
    cJSON_AddStringToObject(delta, "role", "assistant");
    cJSON_AddStringToObject(delta, "content", "");
    return rw_append_sse_json(out, NULL, chunk(w, delta, NULL));
}

/* {"tool_calls":[{"index":k, ...}]} with the entry returned for the caller to fill. */
static cJSON *tool_call_delta(const rw_block *b, cJSON **entry)
{
    cJSON *delta = cJSON_CreateObject();
    cJSON *calls = cJSON_AddArrayToObject(delta, "tool_calls");
    *entry = cJSON_CreateObject();
    cJSON_AddItemToArray(calls, *entry);
    cJSON_AddNumberToObject(*entry, "index", b->tool_index);
    return delta;
}

static int block_start(response_writer *w, const rw_block *b, kbuf *out)
{
    if (b->kind != RW_BLOCK_TOOL)
        return 0;
    cJSON *entry = NULL;
    cJSON *delta = tool_call_delta(b, &entry);
    cJSON_AddStringToObject(entry, "id", b->tool_id);
    cJSON_AddStringToObject(entry, "type", "function");
    cJSON *fn = cJSON_AddObjectToObject(entry, "function");
    cJSON_AddStringToObject(fn, "name", b->tool_name);
    cJSON_AddStringToObject(fn, "arguments", "");
    return rw_append_sse_json(out, NULL, chunk(w, delta, NULL));
}

static int block_delta(response_writer *w, const rw_block *b, const char *s, size_t len,
                       kbuf *out)
{
    char *value = bytes_dup(s, len);
    if (!value)
        return -1;
    cJSON *delta;
    if (b->kind == RW_BLOCK_TOOL) {
        cJSON *entry = NULL;
        delta = tool_call_delta(b, &entry);
        cJSON *fn = cJSON_AddObjectToObject(entry, "function");
        cJSON_AddStringToObject(fn, "arguments", value);
    } else {
        delta = cJSON_CreateObject();
        cJSON_AddStringToObject(delta, b->kind == RW_BLOCK_TEXT ? "content" : "reasoning_content",
                                value);
    }
    free(value);
    return rw_append_sse_json(out, NULL, chunk(w, delta, NULL));
}

static int finish(response_writer *w, kbuf *out)
{
    cJSON *last = chunk(w, cJSON_CreateObject(), rw_openai_finish_reason(w));
    usage_numbers numbers = rw_usage(w);
    usage_add_openai(cJSON_AddObjectToObject(last, "usage"), &numbers);
    if (rw_append_sse_json(out, NULL, last) != 0)
        return -1;
    return sse_append(out, NULL, "[DONE]");
}

static int fail(response_writer *w, const api_error *e, kbuf *out)
{
    char *json = api_error_openai_json(e);
    if (!json)
        return -1;
    int rc;
    if (w->stream_started)
        rc = sse_append(out, NULL, json);
    else   /* nothing sent yet: the caller can still answer with e->status and this body */
        rc = kbuf_append_str(out, json) == KBUF_OK ? 0 : -1;
    free(json);
    return rc;
}

static int ping(response_writer *w, kbuf *out)
{
    (void)w;
    return kbuf_append_str(out, ": ping\n\n") == KBUF_OK ? 0 : -1;
}

const rw_format_ops rw_openai_sse_ops = {
    .keeps_content = 0,
    .begin = begin,
    .block_start = block_start,
    .block_delta = block_delta,
    .block_stop = NULL,
    .finish = finish,
    .fail = fail,
    .ping = ping,
};
