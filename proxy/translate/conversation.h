/* conversation.h: a conversation as the upstream wants it: alternating turns (internal).
 *
 * Messages are converted into turns (text, images, tool results or tool uses, already in the
 * upstream's JSON shape) and appended; appending a turn of the same role as the last one merges
 * them. conversation_finish then applies the rules that need the whole conversation: a user
 * turn first, the system prompt in front of the first user turn, tool results that answer no
 * tool call of the preceding assistant turn turned into text ("[tool result for <id>] ...",
 * "(error) " before failed output), and placeholders for empty content. Texts are kbufs
 * capped at text_cap bytes (overflow answers 413). */
#ifndef KIRO_TRANSLATE_CONVERSATION_H
#define KIRO_TRANSLATE_CONVERSATION_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "util/api_error.h"
#include "util/buf.h"

typedef enum turn_role { TURN_USER, TURN_ASSISTANT } turn_role;

typedef struct turn {
    turn_role role;
    kbuf text;
    cJSON *images;        /* user: [{"format","source":{"bytes"}}] or NULL */
    cJSON *tool_results;  /* user: [{"toolUseId","content":[{"text"}],"status"}] or NULL */
    cJSON *tool_uses;     /* assistant: [{"toolUseId","name","input"}] or NULL */
} turn;

typedef struct conversation {
    turn *turns;
    size_t count;
    size_t alloc;
    size_t text_cap;
} conversation;

void turn_init(turn *t, turn_role role, size_t text_cap);
void turn_free(turn *t);
/* Appends text to the turn, preceded by separator when both the turn and text are non-empty.
 * Returns 0, or -1 with err (413 when the cap is hit). */
int turn_append_text(turn *t, const char *text, size_t len, const char *separator,
                     api_error *err);
/* Appends item to the array *list (created on first use); item is owned by the list even on
 * failure. Returns 0, or -1 with err when out of memory. */
int turn_list_add(cJSON **list, cJSON *item, api_error *err);
/* The error for a failed kbuf operation: 413 request_too_large for KBUF_ERR_CAP, else 500. */
int text_buffer_error(int kbuf_status, size_t cap, api_error *err);

void conversation_init(conversation *c, size_t text_cap);
void conversation_free(conversation *c);
/* Takes t over (t is left empty): appended as a new turn, or merged into the last turn when it
 * has the same role (texts joined with TURN_SEPARATOR, lists concatenated). */
int conversation_append(conversation *c, turn *t, api_error *err);
/* Applies the whole-conversation rules; system may be NULL or empty. */
int conversation_finish(conversation *c, const char *system, api_error *err);

#endif
