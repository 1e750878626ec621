/* render_test_support.h: helpers for the render tests: building Kiro events, running a
 * response writer over them, and parsing its SSE output strictly into cJSON.
 *
 * The SSE parser is deliberately strict (every event ends with a blank line, every data line
 * is complete JSON or [DONE]) and the UTF-8 check is written independently of util/utf8.c,
 * so that a formatting slip in the writer fails a test instead of being parsed leniently. */
#ifndef RENDER_TEST_SUPPORT_H
#define RENDER_TEST_SUPPORT_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "render/kiro_event.h"
#include "render/response_writer.h"

kiro_event ev_text(const char *text);
/* Text given with an explicit length (may contain any bytes but NUL). */
kiro_event ev_text_n(const char *text, size_t len);
kiro_event ev_reasoning(const char *text);
kiro_event ev_tool(const char *id, const char *name, const char *input, int stop);
kiro_event ev_exception(const char *type, const char *message);
kiro_event ev_metadata(long input_tokens, long output_tokens);
kiro_event ev_context(double percent);

/* Options with the given format, model "claude-test", fixed id and created time. */
rw_options test_options(rw_format format);

typedef struct rw_run {
    response_writer *w;
    kbuf out;
    int event_rc;    /* first non-zero rw_event result, else 0 */
    int finish_rc;
} rw_run;

/* rw_new + rw_begin + rw_event for each event + rw_finish (when finish is set). */
void run_writer(rw_run *run, const rw_options *options, const kiro_event *events, size_t count,
                int finish);
void run_free(rw_run *run);

/* The SSE text as an array of {"event":name|null,"data":json|"[DONE]"} and {"comment":text};
 * fails the current test on any framing or JSON error, or on invalid UTF-8. */
cJSON *parse_sse(const char *text, size_t len);
/* Independent strict UTF-8 validation (RFC 3629). */
int is_valid_utf8(const char *s, size_t len);

/* Items of parse_sse output. */
const char *sse_event_name(const cJSON *item);
const cJSON *sse_data(const cJSON *item);
/* A nested member by a "/"-separated path, e.g. "delta/text"; array indices as numbers. */
const cJSON *json_at(const cJSON *root, const char *path);
/* The string at path, or fails the test. */
const char *json_str(const cJSON *root, const char *path);
/* The number at path, or fails the test. */
double json_num(const cJSON *root, const char *path);

/* Anthropic SSE events summarised in order, e.g. "message_start ping start0:text
 * delta0:text_delta stop0 message_delta message_stop"; also checks that each event's name
 * equals its data's "type". Caller frees. */
char *anthropic_shape(const cJSON *events);
/* The concatenated delta.<field> of every content_block_delta for block index. Caller frees. */
char *anthropic_joined(const cJSON *events, int index, const char *field);
/* The data of the first event named name (or with data.type name), or NULL. */
const cJSON *find_event(const cJSON *events, const char *name);

#endif
