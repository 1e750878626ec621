/* anthropic_sse.c: the Anthropic Messages streaming format (RW_ANTHROPIC_SSE).
 *
 * message_start and a ping open the stream; each block is content_block_start, deltas
 * (text_delta, thinking_delta, input_json_delta) and content_block_stop, a thinking block
 * ending with a signature_delta as the real API does; message_delta (stop reason, usage) and
 * message_stop end it. A failure is one "event: error" and never a message_stop, so a client
 * cannot mistake a cut response for a complete one. */
#include "render/rw_internal.h"

#include <stdlib.h>

static cJSON *typed_object(const char *type)
{
    cJSON *o = cJSON_CreateObject();
    if (o && !cJSON_AddStringToObject(o, "type", type)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* message_start shows the estimate (nothing was reported yet) with no output; message_delta
 * shows the final numbers, cache counts included, once the upstream reported them. */
static cJSON *usage_object(const response_writer *w, int final)
{
    usage_numbers numbers = rw_usage(w);
    if (!final)
        numbers.output_tokens = 0;
    cJSON *u = cJSON_CreateObject();
    if (usage_add_anthropic(u, &numbers) != 0) {
        cJSON_Delete(u);
        return NULL;
    }
    return u;
}

static int ping(response_writer *w, kbuf *out)
{
    (void)w;
    return rw_append_sse_json(out, "ping", typed_object("ping"));
}

static int begin(response_writer *w, kbuf *out)
{
    cJSON *event = typed_object("message_start");
    cJSON *m = cJSON_AddObjectToObject(event, "message");
    cJSON_AddStringToObject(m, "id", w->id);
    cJSON_AddStringToObject(m, "type", "message");
    cJSON_AddStringToObject(m, "role", "assistant");
    cJSON_AddStringToObject(m, "model", w->model);
    cJSON_AddArrayToObject(m, "content");
    cJSON_AddNullToObject(m, "stop_reason");
    cJSON_AddNullToObject(m, "stop_sequence");
    cJSON_AddItemToObject(m, "usage", usage_object(w, 0));
    if (rw_append_sse_json(out, "message_start", event) != 0)
        return -1;
    return ping(w, out);
}

static int block_start(response_writer *w, const rw_block *b, kbuf *out)
{
    (void)w;
    cJSON *event = typed_object("content_block_start");
    cJSON_AddNumberToObject(event, "index", b->index);
    cJSON *cb = NULL;
    switch (b->kind) {
    case RW_BLOCK_TEXT:
        cb = typed_object("text");
        cJSON_AddStringToObject(cb, "text", "");
        break;
    case RW_BLOCK_THINKING:
        cb = typed_object("thinking");
        cJSON_AddStringToObject(cb, "thinking", "");
        cJSON_AddStringToObject(cb, "signature", "");
        break;
    case RW_BLOCK_TOOL:
        cb = typed_object("tool_use");
        cJSON_AddStringToObject(cb, "id", b->tool_id);
        cJSON_AddStringToObject(cb, "name", b->tool_name);
        cJSON_AddObjectToObject(cb, "input");
        break;
    }
    cJSON_AddItemToObject(event, "content_block", cb);
    return rw_append_sse_json(out, "content_block_start", event);
}

/* content_block_delta with a delta {"type":delta_type, field:value}. */
static int send_delta(const rw_block *b, const char *delta_type, const char *field,
                      const char *value, kbuf *out)
{
    cJSON *event = typed_object("content_block_delta");
    cJSON_AddNumberToObject(event, "index", b->index);
    cJSON *delta = typed_object(delta_type);
    cJSON_AddStringToObject(delta, field, value);
    cJSON_AddItemToObject(event, "delta", delta);
    return rw_append_sse_json(out, "content_block_delta", event);
}

static int block_delta(response_writer *w, const rw_block *b, const char *s, size_t len,
                       kbuf *out)
{
    (void)w;
    char *value = bytes_dup(s, len);
    if (!value)
        return -1;
    int rc;
    switch (b->kind) {
    case RW_BLOCK_TEXT:
        rc = send_delta(b, "text_delta", "text", value, out);
        break;
    case RW_BLOCK_THINKING:
        rc = send_delta(b, "thinking_delta", "thinking", value, out);
        break;
    default:
        rc = send_delta(b, "input_json_delta", "partial_json", value, out);
        break;
    }
    free(value);
    return rc;
}

static int block_stop(response_writer *w, const rw_block *b, kbuf *out)
{
    (void)w;
    if (b->kind == RW_BLOCK_THINKING &&
        send_delta(b, "signature_delta", "signature", b->signature, out) != 0)
        return -1;
    cJSON *event = typed_object("content_block_stop");
    cJSON_AddNumberToObject(event, "index", b->index);
    return rw_append_sse_json(out, "content_block_stop", event);
}

static int finish(response_writer *w, kbuf *out)
{
    cJSON *event = typed_object("message_delta");
    cJSON *delta = cJSON_AddObjectToObject(event, "delta");
    cJSON_AddStringToObject(delta, "stop_reason", rw_stop_reason(w));
    cJSON_AddNullToObject(delta, "stop_sequence");
    cJSON_AddItemToObject(event, "usage", usage_object(w, 1));
    if (rw_append_sse_json(out, "message_delta", event) != 0)
        return -1;
    return rw_append_sse_json(out, "message_stop", typed_object("message_stop"));
}

static int fail(response_writer *w, const api_error *e, kbuf *out)
{
    char *json = api_error_anthropic_json(e);
    if (!json)
        return -1;
    int rc;
    if (w->stream_started)
        rc = sse_append(out, "error", json);
    else   /* nothing sent yet: the caller can still answer with e->status and this body */
        rc = kbuf_append_str(out, json) == KBUF_OK ? 0 : -1;
    free(json);
    return rc;
}

const rw_format_ops rw_anthropic_sse_ops = {
    .keeps_content = 0,
    .begin = begin,
    .block_start = block_start,
    .block_delta = block_delta,
    .block_stop = block_stop,
    .finish = finish,
    .fail = fail,
    .ping = ping,
};
