/* rw_content.c: turns upstream text and tool events into content blocks (text, thinking,
 * tool call) for the response writer.
 *
 * Every event's text first passes a UTF-8 stage: a character split across two events is held
 * back until its end arrives, and invalid bytes become U+FFFD, so every byte handed to a
 * format is valid UTF-8. The text channel then passes the <thinking> splitter (when thinking
 * is on). A new kind of content closes the open block; each toolUseId gets its own block. */
#include "render/rw_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/random.h"

/* Longest toolUseId / tool name accepted from the upstream. */
#define RW_MAX_TOOL_FIELD 512

/* ---- blocks -------------------------------------------------------------------------------- */

static rw_block *open_block_ptr(response_writer *w)
{
    return w->open == RW_NO_BLOCK ? NULL : &w->blocks[w->open];
}

static int close_open_block(response_writer *w, kbuf *out)
{
    rw_block *b = open_block_ptr(w);
    if (!b)
        return 0;
    w->open = RW_NO_BLOCK;
    if (w->ops->block_stop && w->ops->block_stop(w, b, out) != 0)
        return rw_output_error(w);
    return 0;
}

static void make_signature(char out[RW_SIGNATURE_SIZE])
{
    char a[40], b[40];
    random_id("", a, sizeof a);
    random_id("", b, sizeof b);
    snprintf(out, RW_SIGNATURE_SIZE, "kiro-%s%s", a, b);
}

/* Closes the open block and opens a new one of kind; tool blocks take the id and name. */
static int open_block(response_writer *w, rw_block_kind kind, const char *tool_id,
                      const char *tool_name, kbuf *out)
{
    if (close_open_block(w, out) != 0)
        return -1;
    if (w->block_count == RW_MAX_BLOCKS)
        return rw_set_error(w, 502, "api_error", "upstream response has too many content blocks");
    if (w->block_count == w->block_alloc) {
        size_t n = w->block_alloc ? w->block_alloc * 2 : 8;
        rw_block *grown = realloc(w->blocks, n * sizeof *grown);
        if (!grown)
            return rw_output_error(w);
        w->blocks = grown;
        w->block_alloc = n;
    }
    rw_block *b = &w->blocks[w->block_count];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    b->index = (int)w->block_count;
    kbuf_init(&b->content, RW_MAX_CONTENT_BYTES);
    if (kind == RW_BLOCK_TOOL) {
        b->tool_index = w->tool_calls;
        b->tool_id = strdup(tool_id);
        b->tool_name = strdup(tool_name);
        if (!b->tool_id || !b->tool_name) {
            free(b->tool_id);
            free(b->tool_name);
            return rw_output_error(w);
        }
        w->tool_calls++;
    } else if (kind == RW_BLOCK_THINKING) {
        make_signature(b->signature);
    }
    w->open = w->block_count++;
    if (w->ops->block_start && w->ops->block_start(w, b, out) != 0)
        return rw_output_error(w);
    return 0;
}

static int block_delta(response_writer *w, rw_block *b, const char *s, size_t len, kbuf *out)
{
    if (len == 0)
        return 0;
    w->emitted_chars += utf8_char_count(s, len);
    if (w->ops->keeps_content) {
        if (len > RW_MAX_CONTENT_BYTES - w->content_bytes)
            return rw_set_error(w, 502, "api_error", "upstream response too large");
        if (kbuf_append(&b->content, s, len) != KBUF_OK)
            return rw_output_error(w);
        w->content_bytes += len;
    }
    if (w->ops->block_delta && w->ops->block_delta(w, b, s, len, out) != 0)
        return rw_output_error(w);
    return 0;
}

/* Text or thinking: continues the open block of that kind or starts a new one. */
static int emit_content(response_writer *w, rw_block_kind kind, const char *s, size_t len,
                        kbuf *out)
{
    if (len == 0)
        return 0;
    rw_block *b = open_block_ptr(w);
    if (!b || b->kind != kind) {
        if (open_block(w, kind, NULL, NULL, out) != 0)
            return -1;
        b = open_block_ptr(w);
    }
    return block_delta(w, b, s, len, out);
}

/* ---- channels: UTF-8 carry and thinking tags ------------------------------------------------ */

typedef struct split_target {
    response_writer *w;
    kbuf *out;
} split_target;

static int emit_split(void *user, int is_thinking, const char *s, size_t len)
{
    split_target *t = user;
    return emit_content(t->w, is_thinking ? RW_BLOCK_THINKING : RW_BLOCK_TEXT, s, len, t->out);
}

/* Valid UTF-8 text of the current channel to its destination. */
static int route(response_writer *w, const char *s, size_t len, kbuf *out)
{
    switch (w->channel) {
    case RW_CH_TEXT:
        if (w->options.thinking) {
            split_target t = { w, out };
            return thinking_split_feed(&w->thinking, s, len, emit_split, &t);
        }
        return emit_content(w, RW_BLOCK_TEXT, s, len, out);
    case RW_CH_REASONING:
        return emit_content(w, RW_BLOCK_THINKING, s, len, out);
    case RW_CH_TOOL: {
        rw_block *b = open_block_ptr(w);
        return b && b->kind == RW_BLOCK_TOOL ? block_delta(w, b, s, len, out) : 0;
    }
    case RW_CH_NONE:
        break;
    }
    return 0;
}

/* Ends the current channel: a character still incomplete becomes U+FFFD, carried thinking-tag
 * bytes are emitted. */
static int flush_channel(response_writer *w, kbuf *out)
{
    int rc = 0;
    if (w->utf8_carry_len) {
        w->utf8_carry_len = 0;
        rc = route(w, UTF8_REPLACEMENT, 3, out);
    }
    if (rc == 0 && w->channel == RW_CH_TEXT && w->options.thinking) {
        split_target t = { w, out };
        rc = thinking_split_flush(&w->thinking, emit_split, &t);
    }
    w->channel = RW_CH_NONE;
    return rc;
}

static int switch_channel(response_writer *w, rw_channel channel, kbuf *out)
{
    if (w->channel == channel)
        return 0;
    if (flush_channel(w, out) != 0)
        return -1;
    w->channel = channel;
    return 0;
}

/* One event's text: joined with the carried partial character, its own incomplete tail held
 * back, the rest sanitised and routed. */
static int feed_piece(response_writer *w, const char *s, size_t len, kbuf *out)
{
    const char *text = s;
    size_t text_len = len;
    if (w->utf8_carry_len) {
        kbuf_reset(&w->joined);
        if (kbuf_append(&w->joined, w->utf8_carry, w->utf8_carry_len) != KBUF_OK ||
            kbuf_append(&w->joined, s, len) != KBUF_OK)
            return rw_output_error(w);
        text = w->joined.data;
        text_len = w->joined.len;
    }
    size_t tail = utf8_incomplete_tail(text, text_len);
    text_len -= tail;
    memmove(w->utf8_carry, text + text_len, tail);
    w->utf8_carry_len = tail;
    kbuf_reset(&w->clean);
    if (utf8_sanitize_append(&w->clean, text, text_len) != KBUF_OK)
        return rw_output_error(w);
    return route(w, w->clean.data ? w->clean.data : "", w->clean.len, out);
}

/* ---- tool calls ----------------------------------------------------------------------------- */

/* A tool call whose block was already closed: later fragments for it are dropped. */
static int tool_finished(const response_writer *w, const char *id)
{
    for (size_t i = 0; i < w->block_count; i++)
        if (i != w->open && w->blocks[i].kind == RW_BLOCK_TOOL &&
            strcmp(w->blocks[i].tool_id, id) == 0)
            return 1;
    return 0;
}

/* The client's name for an upstream tool name (tool_name_map), as valid UTF-8 in out. */
static int client_tool_name(const response_writer *w, const char *name, kbuf *out)
{
    const char *shown = name ? name : "";
    const cJSON *mapped = w->options.tool_name_map && name
                              ? cJSON_GetObjectItemCaseSensitive(w->options.tool_name_map, name)
                              : NULL;
    if (cJSON_IsString(mapped))
        shown = mapped->valuestring;
    return utf8_sanitize_append(out, shown, strlen(shown));
}

static int start_tool_call(response_writer *w, const char *id, const char *name, kbuf *out)
{
    kbuf shown = KBUF_INIT(RW_MAX_TOOL_FIELD * 3);
    int rc = client_tool_name(w, name, &shown);
    if (rc == KBUF_OK) {
        rc = flush_channel(w, out);
        if (rc == 0)
            rc = open_block(w, RW_BLOCK_TOOL, id, shown.data ? shown.data : "", out);
    } else {
        rc = rw_set_error(w, 502, "api_error", "upstream sent an invalid tool name");
    }
    kbuf_free(&shown);
    w->channel = RW_CH_TOOL;
    return rc;
}

static int on_tool_use(response_writer *w, const kiro_event *ev, kbuf *out)
{
    const char *raw_id = ev->tool_use_id ? ev->tool_use_id : "";
    if (!raw_id[0] || strlen(raw_id) > RW_MAX_TOOL_FIELD ||
        (ev->tool_name && strlen(ev->tool_name) > RW_MAX_TOOL_FIELD))
        return rw_set_error(w, 502, "api_error", "upstream sent an invalid tool call");
    kbuf id = KBUF_INIT(RW_MAX_TOOL_FIELD * 3);
    if (utf8_sanitize_append(&id, raw_id, strlen(raw_id)) != KBUF_OK) {
        kbuf_free(&id);
        return rw_output_error(w);
    }
    rw_block *b = open_block_ptr(w);
    int same = b && b->kind == RW_BLOCK_TOOL && strcmp(b->tool_id, id.data) == 0;
    int rc = 0;
    if (!same && tool_finished(w, id.data)) {
        kbuf_free(&id);
        return 0;
    }
    if (!same)
        rc = start_tool_call(w, id.data, ev->tool_name, out);
    kbuf_free(&id);
    if (rc == 0 && ev->text_len)
        rc = feed_piece(w, ev->text, ev->text_len, out);
    if (rc == 0 && ev->tool_stop) {
        rc = flush_channel(w, out);
        if (rc == 0)
            rc = close_open_block(w, out);
    }
    return rc;
}

/* ---- entry points -------------------------------------------------------------------------- */

int rw_content_text(response_writer *w, rw_channel channel, const char *s, size_t len, kbuf *out)
{
    if (len == 0)
        return 0;
    if (switch_channel(w, channel, out) != 0)
        return -1;
    return feed_piece(w, s, len, out);
}

int rw_content_tool(response_writer *w, const kiro_event *ev, kbuf *out)
{
    return on_tool_use(w, ev, out);
}

int rw_content_end(response_writer *w, kbuf *out)
{
    if (flush_channel(w, out) != 0)
        return -1;
    return close_open_block(w, out);
}
