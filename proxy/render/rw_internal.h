/* rw_internal.h: the response writer's state, shared by its core and its four output formats
 * (anthropic_sse.c, openai_sse.c, anthropic_json.c, openai_json.c).
 *
 * The core (response_writer.c, rw_content.c) turns Kiro events into a format-neutral
 * sequence of content blocks (text, thinking, tool call) with start / delta / stop; each
 * format renders that sequence through a table of callbacks. Streams write as blocks happen;
 * JSON formats let the core keep every block's content and render everything in finish.
 * Private to proxy/render. */
#ifndef KIRO_RENDER_RW_INTERNAL_H
#define KIRO_RENDER_RW_INTERNAL_H

#include "render/response_writer.h"
#include "util/buf.h"
#include "render/thinking_split.h"
#include "render/upstream_usage.h"
#include "util/utf8.h"

/* Limits on what one response may accumulate (JSON formats) or open (all formats). */
#define RW_MAX_BLOCKS 4096
#define RW_MAX_CONTENT_BYTES (32u * 1024u * 1024u)
/* One event's text after joining a carried character and sanitising (3x for U+FFFD). */
#define RW_MAX_PIECE_BYTES (3u * 16u * 1024u * 1024u + 16u)
#define RW_ID_SIZE 64
#define RW_SIGNATURE_SIZE 96

typedef enum { RW_BLOCK_TEXT, RW_BLOCK_THINKING, RW_BLOCK_TOOL } rw_block_kind;

typedef struct rw_block {
    rw_block_kind kind;
    int index;            /* Anthropic content index (0, 1, ...) */
    int tool_index;       /* OpenAI tool_calls index (tool blocks) */
    char *tool_id;        /* tool blocks: sanitised upstream toolUseId */
    char *tool_name;      /* tool blocks: the name the client knows */
    char signature[RW_SIGNATURE_SIZE]; /* thinking blocks */
    kbuf content;         /* JSON formats: everything the block received */
} rw_block;

typedef struct rw_format_ops {
    int keeps_content;    /* JSON formats: the core stores every block's content */
    int (*begin)(response_writer *w, kbuf *out);
    int (*block_start)(response_writer *w, const rw_block *b, kbuf *out);
    int (*block_delta)(response_writer *w, const rw_block *b, const char *s, size_t len,
                       kbuf *out);
    int (*block_stop)(response_writer *w, const rw_block *b, kbuf *out);
    /* The whole successful ending; may fail without writing (e.g. invalid tool input). */
    int (*finish)(response_writer *w, kbuf *out);
    int (*fail)(response_writer *w, const api_error *e, kbuf *out);
    int (*ping)(response_writer *w, kbuf *out);
} rw_format_ops;

extern const rw_format_ops rw_anthropic_sse_ops;
extern const rw_format_ops rw_openai_sse_ops;
extern const rw_format_ops rw_anthropic_json_ops;
extern const rw_format_ops rw_openai_json_ops;

typedef enum { RW_NEW, RW_BEGUN, RW_FINISHED, RW_FAILED } rw_phase;

/* Where the bytes of the current upstream event go; a UTF-8 carry belongs to one channel. */
typedef enum { RW_CH_NONE, RW_CH_TEXT, RW_CH_REASONING, RW_CH_TOOL } rw_channel;

#define RW_NO_BLOCK ((size_t)-1)

struct response_writer {
    rw_options options;     /* model and message_id point into this writer's copies */
    char *model;
    const rw_format_ops *ops;
    char id[RW_ID_SIZE];
    long created;
    rw_phase phase;
    int stream_started;
    api_error error;

    rw_block *blocks;
    size_t block_count, block_alloc;
    size_t open;            /* index of the block receiving deltas, or RW_NO_BLOCK */
    int tool_calls;
    size_t content_bytes;   /* JSON formats: bytes kept in blocks */

    rw_channel channel;
    char utf8_carry[UTF8_MAX_SEQUENCE];
    size_t utf8_carry_len;
    thinking_split thinking;
    kbuf joined;            /* scratch: carry + event text */
    kbuf clean;             /* scratch: sanitised text */

    size_t emitted_chars;   /* text + thinking + tool input, for the output estimate */
    upstream_usage usage;   /* metadataEvent / contextUsageEvent reports */
    int length_limited;     /* ContentLengthExceededException seen */
};

/* rw_content.c: text of one channel (text or reasoning) from one event. */
int rw_content_text(response_writer *w, rw_channel channel, const char *s, size_t len, kbuf *out);
/* rw_content.c: one toolUseEvent. */
int rw_content_tool(response_writer *w, const kiro_event *ev, kbuf *out);
/* rw_content.c: the upstream ended: flush carried bytes and close the open block. */
int rw_content_end(response_writer *w, kbuf *out);

/* Shared by the formats. */
long rw_created(const response_writer *w);
/* "end_turn" / "tool_use" / "max_tokens" mapped to OpenAI's "stop" / "tool_calls" / "length". */
const char *rw_openai_finish_reason(const response_writer *w);
/* Prints json unformatted, frames it as SSE and frees it; -1 on failure. */
int rw_append_sse_json(kbuf *out, const char *event_name, cJSON *json);
/* Prints json unformatted, appends it and frees it; -1 on failure. */
int rw_append_json(kbuf *out, cJSON *json);
/* rw_error.c: records an error for rw_last_error and returns -1. */
int rw_set_error(response_writer *w, int status, const char *type, const char *message);
/* rw_error.c: records "response too large or out of memory" (502) and returns -1. */
int rw_output_error(response_writer *w);

#endif
