/* response_writer.h: turns the sequence of Kiro events of one upstream response into what a
 * client receives, in one of four shapes:
 *   RW_ANTHROPIC_SSE   message_start, content_block_start/delta/stop (text_delta,
 *                      input_json_delta, thinking_delta), message_delta (stop_reason, usage),
 *                      message_stop; ping; "event: error" on failure
 *   RW_ANTHROPIC_JSON  one {"type":"message",...} object at the end
 *   RW_OPENAI_SSE      chat.completion.chunk lines (role, content, tool_calls, finish_reason),
 *                      then "data: [DONE]"
 *   RW_OPENAI_JSON     one chat.completion object at the end
 *
 * Stop reason (upstream_usage.h): model_context_window_exceeded when the context is full,
 * tool_use when a tool was called, max_tokens after ContentLengthExceededException, else
 * end_turn. Usage carries the upstream's cache read / cache write counts. A response is only
 * ended successfully by rw_finish(); a stream that ends without its terminating events is
 * reported through rw_fail() and never turned into a fake end_turn.
 * With thinking on, <thinking>...</thinking> in the text (split across events anywhere) becomes
 * thinking blocks. Output bytes are appended to the caller's kbuf. */
#ifndef KIRO_RESPONSE_WRITER_H
#define KIRO_RESPONSE_WRITER_H

#include <cjson/cJSON.h>

#include "render/kiro_event.h"
#include "render/upstream_usage.h"
#include "util/api_error.h"
#include "util/buf.h"

typedef enum {
    RW_ANTHROPIC_SSE,
    RW_ANTHROPIC_JSON,
    RW_OPENAI_SSE,
    RW_OPENAI_JSON,
} rw_format;

typedef struct rw_options {
    rw_format format;
    const char *model;          /* echoed to the client (the name it sent) */
    const char *message_id;     /* NULL = generated (msg_... / chatcmpl-...) */
    long input_tokens_estimate; /* used until the upstream reports usage */
    int thinking;               /* parse <thinking> tags into thinking blocks */
    long created;               /* OpenAI "created" (unix seconds); 0 = now */
    const cJSON *tool_name_map; /* short upstream tool name -> client name (may be NULL) */
    long context_window;        /* the model's input token limit; 0 = 200000 */
} rw_options;

typedef struct response_writer response_writer;

/* model and message_id are copied; tool_name_map is consulted while events arrive and must
 * outlive the writer. NULL on an unknown format or out of memory. */
response_writer *rw_new(const rw_options *options);
void rw_free(response_writer *w);

/* Streams: the opening events (message_start + ping / first chunk with the role). JSON:
 * nothing. rw_event() calls it itself when it was not called. */
int rw_begin(response_writer *w, kbuf *out);
/* One upstream event. Returns 0, or -1 on an event that makes the response invalid (e.g. an
 * exception other than ContentLengthExceeded, or output over the writer's limits); the caller
 * then calls rw_fail(). Also -1 after the response ended (finish or fail). Tool fragments for
 * a tool call whose block was already closed are dropped. */
int rw_event(response_writer *w, const kiro_event *ev, kbuf *out);
/* After rw_event() returned -1: the error to report (status, type, message). */
const api_error *rw_last_error(const response_writer *w);
/* Keep-alive: "event: ping" (Anthropic) or an SSE comment (OpenAI). JSON: nothing. */
int rw_ping(response_writer *w, kbuf *out);
/* The upstream ended cleanly: close open blocks, final events / the JSON object.
 * Returns -1 (writing nothing) when there was no content at all: an empty response is an
 * error, and the caller reports it through rw_fail(). */
int rw_finish(response_writer *w, kbuf *out);
/* The upstream failed. Streams: "event: error" (Anthropic) or an error chunk (OpenAI);
 * JSON: the error object in the API's shape (the caller sends it with err->status). A stream
 * for which rw_started() is still 0 also gets the plain JSON error object, since the caller
 * can still answer with err->status. err NULL means rw_last_error(). The message is made
 * valid UTF-8. Returns -1 (writing nothing) when the response already ended. */
int rw_fail(response_writer *w, const api_error *err, kbuf *out);

/* Usage as known so far (after finish: final). */
long rw_output_tokens(const response_writer *w);
long rw_input_tokens(const response_writer *w);
/* Every usage number (input, output, cache read, cache creation) as known so far. */
usage_numbers rw_usage(const response_writer *w);
const char *rw_stop_reason(const response_writer *w);
/* 1 once rw_begin wrote bytes for a stream (the HTTP status can no longer change). */
int rw_started(const response_writer *w);

/* SSE framing helper: "event: NAME\ndata: JSON\n\n" (name NULL: data line only). */
int sse_append(kbuf *out, const char *event_name, const char *data);

#endif
