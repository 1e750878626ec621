/* anthropic_json.c: the Anthropic Messages non-streaming format (RW_ANTHROPIC_JSON).
 *
 * Nothing is written until the end: then one {"type":"message",...} object with every block
 * the core kept. Tool input arrives as JSON text in fragments; here it is parsed into the
 * object the API promises, and input that is not a JSON object fails the response instead of
 * handing the client something it cannot use. */
#include "render/rw_internal.h"

#include <stdlib.h>

#include "render/json_exact.h"

static int nothing(response_writer *w, kbuf *out)
{
    (void)w;
    (void)out;
    return 0;
}

static const char *block_text(const rw_block *b)
{
    return b->content.data ? b->content.data : "";
}

/* The tool input as a JSON object ({} when the upstream sent none); NULL when invalid. */
static cJSON *tool_input(const rw_block *b)
{
    if (b->content.len == 0)
        return cJSON_CreateObject();
    cJSON *input = json_parse_exact(b->content.data, b->content.len);
    if (input && !cJSON_IsObject(input)) {
        cJSON_Delete(input);
        return NULL;
    }
    return input;
}

static cJSON *content_block(response_writer *w, const rw_block *b)
{
    cJSON *o = cJSON_CreateObject();
    switch (b->kind) {
    case RW_BLOCK_THINKING:
        cJSON_AddStringToObject(o, "type", "thinking");
        cJSON_AddStringToObject(o, "thinking", block_text(b));
        cJSON_AddStringToObject(o, "signature", b->signature);
        break;
    case RW_BLOCK_TEXT:
        cJSON_AddStringToObject(o, "type", "text");
        cJSON_AddStringToObject(o, "text", block_text(b));
        break;
    case RW_BLOCK_TOOL: {
        cJSON *input = tool_input(b);
        if (!input) {
            cJSON_Delete(o);
            api_error_set(&w->error, 502, "api_error",
                          "upstream returned invalid JSON input for tool %s", b->tool_name);
            return NULL;
        }
        cJSON_AddStringToObject(o, "type", "tool_use");
        cJSON_AddStringToObject(o, "id", b->tool_id);
        cJSON_AddStringToObject(o, "name", b->tool_name);
        cJSON_AddItemToObject(o, "input", input);
        break;
    }
    }
    return o;
}

static int finish(response_writer *w, kbuf *out)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "id", w->id);
    cJSON_AddStringToObject(m, "type", "message");
    cJSON_AddStringToObject(m, "role", "assistant");
    cJSON_AddStringToObject(m, "model", w->model);
    cJSON *content = cJSON_AddArrayToObject(m, "content");
    for (size_t i = 0; i < w->block_count; i++) {
        cJSON *block = content_block(w, &w->blocks[i]);
        if (!block) {
            cJSON_Delete(m);
            return -1;
        }
        cJSON_AddItemToArray(content, block);
    }
    cJSON_AddStringToObject(m, "stop_reason", rw_stop_reason(w));
    cJSON_AddNullToObject(m, "stop_sequence");
    usage_numbers numbers = rw_usage(w);
    usage_add_anthropic(cJSON_AddObjectToObject(m, "usage"), &numbers);
    if (rw_append_json(out, m) != 0)
        return rw_set_error(w, 502, "api_error", "response too large or out of memory");
    return 0;
}

static int fail(response_writer *w, const api_error *e, kbuf *out)
{
    (void)w;
    char *json = api_error_anthropic_json(e);
    int rc = json && kbuf_append_str(out, json) == KBUF_OK ? 0 : -1;
    free(json);
    return rc;
}

const rw_format_ops rw_anthropic_json_ops = {
    .keeps_content = 1,
    .begin = nothing,
    .block_start = NULL,
    .block_delta = NULL,
    .block_stop = NULL,
    .finish = finish,
    .fail = fail,
    .ping = nothing,
};
