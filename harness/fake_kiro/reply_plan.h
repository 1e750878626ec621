/* reply_plan.h: what the fake assistant says to a request — the "model" of fake-kiro.
 *
 * The answer is deterministic so that tests can predict it exactly:
 *   - thinking mode (content starts with <thinking_mode>enabled</thinking_mode>): the text opens
 *     with "<thinking>I should answer briefly.</thinking>\n\n", as Kiro does in that mode;
 *   - tool results in the current message: "Tool <toolUseId> returned: <first 200 chars>";
 *   - tools offered (and no results): "I'll use the <name> tool." and a call to the first tool;
 *   - otherwise: "Hello from fake-kiro. You said: <first 200 chars of the prompt>", or the
 *     configured --reply text, or --reply-bytes of lorem ipsum. */
#ifndef FAKE_KIRO_REPLY_PLAN_H
#define FAKE_KIRO_REPLY_PLAN_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "util/buf.h"

#define FK_THINKING_PREFIX "<thinking_mode>enabled</thinking_mode>"
#define FK_THINKING_TEXT "<thinking>I should answer briefly.</thinking>\n\n"
#define FK_ECHO_PREFIX "Hello from fake-kiro. You said: "
#define FK_ECHO_CHARS 200
#define FK_TOOL_USE_ID_SIZE 40

typedef struct fk_reply {
    kbuf text;                             /* every assistantResponseEvent content, in order */
    char *tool_name;                       /* NULL when the reply calls no tool */
    char tool_use_id[FK_TOOL_USE_ID_SIZE]; /* "tooluse_..." */
    char *tool_input;                      /* compact JSON text of the arguments */
} fk_reply;

typedef struct fk_reply_options {
    const char *reply;  /* NULL: echo the prompt */
    size_t reply_bytes; /* 0: off */
} fk_reply_options;

/* Fills out from a generateAssistantResponse body. Tolerates any shape (missing fields give the
 * echo path). Returns 0, or -1 when out of memory (out is then freed). */
int fk_reply_build(fk_reply *out, const cJSON *request, const fk_reply_options *options);
void fk_reply_free(fk_reply *r);

/* The user text with the thinking-mode tags (and whitespace after them) skipped. */
const char *fk_strip_thinking_prefix(const char *content);

#endif
