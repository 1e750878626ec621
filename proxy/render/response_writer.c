/* response_writer.c: the response writer's public API: lifecycle, event dispatch, usage and
 * stop reason; see response_writer.h.
 *
 * Text and tool events go to rw_content.c, which turns them into content blocks; the formats
 * (rw_format_ops) only render. Usage and the stop reason are derived from the events seen, and
 * the phase (new, begun, finished, failed) guarantees that a response ends exactly once. */
#include "render/rw_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "render/upstream_error.h"
#include "util/random.h"

static const rw_format_ops *ops_for(rw_format format)
{
    switch (format) {
    case RW_ANTHROPIC_SSE: return &rw_anthropic_sse_ops;
    case RW_ANTHROPIC_JSON: return &rw_anthropic_json_ops;
    case RW_OPENAI_SSE: return &rw_openai_sse_ops;
    case RW_OPENAI_JSON: return &rw_openai_json_ops;
    }
    return NULL;
}

static int is_anthropic(rw_format format)
{
    return format == RW_ANTHROPIC_SSE || format == RW_ANTHROPIC_JSON;
}

response_writer *rw_new(const rw_options *options)
{
    const rw_format_ops *ops = options ? ops_for(options->format) : NULL;
    if (!ops)
        return NULL;
    response_writer *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->options = *options;
    w->ops = ops;
    w->model = strdup(options->model ? options->model : "");
    if (!w->model) {
        free(w);
        return NULL;
    }
    w->options.model = w->model;
    if (options->message_id && options->message_id[0])
        snprintf(w->id, sizeof w->id, "%s", options->message_id);
    else
        random_id(is_anthropic(options->format) ? "msg_" : "chatcmpl-", w->id, sizeof w->id);
    w->options.message_id = w->id;
    w->created = options->created ? options->created : (long)time(NULL);
    w->phase = RW_NEW;
    w->open = RW_NO_BLOCK;
    upstream_usage_init(&w->usage);
    thinking_split_init(&w->thinking);
    kbuf_init(&w->joined, RW_MAX_PIECE_BYTES);
    kbuf_init(&w->clean, RW_MAX_PIECE_BYTES);
    return w;
}

void rw_free(response_writer *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->block_count; i++) {
        free(w->blocks[i].tool_id);
        free(w->blocks[i].tool_name);
        kbuf_free(&w->blocks[i].content);
    }
    free(w->blocks);
    kbuf_free(&w->joined);
    kbuf_free(&w->clean);
    free(w->model);
    free(w);
}

long rw_created(const response_writer *w)
{
    return w->created;
}

const api_error *rw_last_error(const response_writer *w)
{
    return &w->error;
}

int rw_started(const response_writer *w)
{
    return w->stream_started;
}

const char *rw_stop_reason(const response_writer *w)
{
    return upstream_usage_stop_reason(&w->usage, w->tool_calls, w->length_limited);
}

const char *rw_openai_finish_reason(const response_writer *w)
{
    return upstream_usage_finish_reason(&w->usage, w->tool_calls, w->length_limited);
}

usage_numbers rw_usage(const response_writer *w)
{
    long output_estimate = (long)((w->emitted_chars + 3) / 4);
    return upstream_usage_numbers(&w->usage, w->options.input_tokens_estimate, output_estimate,
                                  w->options.context_window);
}

long rw_output_tokens(const response_writer *w)
{
    return rw_usage(w).output_tokens;
}

long rw_input_tokens(const response_writer *w)
{
    return rw_usage(w).input_tokens;
}

int rw_begin(response_writer *w, kbuf *out)
{
    if (w->phase != RW_NEW)
        return 0;
    size_t before = out->len;
    if (w->ops->begin(w, out) != 0)
        return rw_output_error(w);
    w->phase = RW_BEGUN;
    if (out->len > before)
        w->stream_started = 1;
    return 0;
}

int rw_ping(response_writer *w, kbuf *out)
{
    if (w->phase != RW_BEGUN)
        return 0;
    return w->ops->ping(w, out) == 0 ? 0 : rw_output_error(w);
}

/* ---- events --------------------------------------------------------------------------------- */

static int ended_error(response_writer *w)
{
    return rw_set_error(w, 500, "api_error", "the response has already ended");
}

int rw_event(response_writer *w, const kiro_event *ev, kbuf *out)
{
    if (w->phase == RW_FINISHED || w->phase == RW_FAILED)
        return ended_error(w);
    if (rw_begin(w, out) != 0)
        return -1;
    switch (ev->kind) {
    case KIRO_EV_TEXT:
    case KIRO_EV_REASONING:
        if (ev->text_len == 0)
            return 0;
        return rw_content_text(w, ev->kind == KIRO_EV_TEXT ? RW_CH_TEXT : RW_CH_REASONING,
                               ev->text, ev->text_len, out);
    case KIRO_EV_TOOL_USE:
        return rw_content_tool(w, ev, out);
    case KIRO_EV_CONTEXT_USAGE:
    case KIRO_EV_METADATA:
        upstream_usage_note(&w->usage, ev);
        return 0;
    case KIRO_EV_EXCEPTION:
        if (upstream_exception_is_length_limit(ev->exception_type)) {
            w->length_limited = 1;
            return 0;
        }
        return upstream_exception_to_error(&w->error, ev->exception_type, ev->exception_message);
    case KIRO_EV_METERING:
    case KIRO_EV_IGNORED:
        return 0;
    }
    return 0;
}

int rw_finish(response_writer *w, kbuf *out)
{
    if (w->phase == RW_FINISHED || w->phase == RW_FAILED)
        return ended_error(w);
    if (w->phase == RW_NEW)   /* no event at all: nothing to flush */
        return rw_set_error(w, 502, "api_error", "upstream returned an empty response");
    if (rw_content_end(w, out) != 0)
        return -1;
    if (w->block_count == 0)   /* nothing was written either */
        return rw_set_error(w, 502, "api_error", "upstream returned an empty response");
    if (w->ops->finish(w, out) != 0)
        return -1;
    w->phase = RW_FINISHED;
    return 0;
}

/* A copy of err whose message is valid UTF-8 (it may quote upstream bytes). */
static void sanitized_error(const api_error *err, api_error *copy)
{
    *copy = *err;
    kbuf clean = KBUF_INIT(sizeof err->message * 3);
    size_t len = strnlen(err->message, sizeof err->message - 1);
    if (utf8_sanitize_append(&clean, err->message, len) == KBUF_OK && clean.data) {
        size_t keep = utf8_truncate(clean.data, clean.len, sizeof copy->message - 1);
        memcpy(copy->message, clean.data, keep);
        copy->message[keep] = '\0';
    }
    kbuf_free(&clean);
}

int rw_fail(response_writer *w, const api_error *err, kbuf *out)
{
    if (w->phase == RW_FINISHED || w->phase == RW_FAILED)
        return -1;
    api_error clean;
    sanitized_error(err ? err : &w->error, &clean);
    if (clean.status == 0)
        api_error_set(&clean, 502, "api_error", "upstream failed");
    w->phase = RW_FAILED;
    return w->ops->fail(w, &clean, out) == 0 ? 0 : -1;
}
