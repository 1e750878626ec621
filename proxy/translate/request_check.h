/* request_check.h: validation of an Anthropic Messages request's outer shape (internal).
 *
 * Shared by the Kiro translation and the token estimate, so that both reject the same
 * malformed requests with the same errors. It checks the top-level fields and every message
 * envelope (role, content type, block objects with a "type"); the fields inside each block
 * are checked where they are converted. JSON null counts as absent for optional fields. */
#ifndef KIRO_TRANSLATE_REQUEST_CHECK_H
#define KIRO_TRANSLATE_REQUEST_CHECK_H

#include <cjson/cJSON.h>

#include "util/api_error.h"
#include "util/buf.h"

typedef struct anthropic_fields {
    const char *model;         /* non-empty */
    const cJSON *messages;     /* non-empty array of checked messages */
    const cJSON *system;       /* NULL, a string or an array of text blocks */
    const cJSON *tools;        /* NULL or an array of checked tool objects */
    long max_tokens;           /* 0 when absent */
    int stream;
    int thinking;              /* "thinking" asked for enabled or adaptive */
    long thinking_budget;      /* budget_tokens, or the default */
} anthropic_fields;

/* Returns 0 with out filled, or -1 with err (400, or 413 for too many messages). */
int anthropic_check_request(const cJSON *request, anthropic_fields *out, api_error *err);

/* 1 for a client-defined tool (no "type", or "custom"); 0 for server tools such as web_search,
 * which the upstream does not offer and which are therefore left out. */
int anthropic_tool_is_custom(const cJSON *tool);

/* Appends the system prompt text (blocks joined with BLOCK_SEPARATOR) to out.
 * Returns a KBUF_ status. */
int anthropic_system_text(const cJSON *system, kbuf *out);

/* 1 when v is a number holding an integer in [lo, hi]; *out receives it. */
int json_integer_in_range(const cJSON *v, long lo, long hi, long *out);

#endif
