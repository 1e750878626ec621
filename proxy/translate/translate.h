/* translate.h: client requests (Anthropic Messages, OpenAI chat completions) to the Kiro
 * generateAssistantResponse body.
 *
 * The translation applies every rule that keeps the upstream from answering "400 Improperly
 * formed request" (see ../shared/kiro-protocol.md): system prompt prepended to the first user
 * turn, alternating roles starting with user (adjacent turns merged), placeholders for empty
 * content, trailing assistant prefill moved to history with "Continue", orphan tool results
 * and tool blocks without tool definitions turned into text, tool names <= 64 characters,
 * generated descriptions for empty ones, long descriptions capped, additionalProperties
 * dropped from schemas, history omitted when empty, bodies over the upstream limit refused.
 * Everything sized by the client is bounded; a bad request yields an api_error, never a crash.
 * The documented choices live next to the code that makes them: limits and placeholder texts in
 * translate_limits.h, block handling (unknown blocks ignored) in message_blocks.h, the OpenAI
 * side (image URLs refused, broken tool arguments -> {}) in openai_parts.h. */
#ifndef KIRO_TRANSLATE_H
#define KIRO_TRANSLATE_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "translate/model_catalog.h"
#include "util/api_error.h"

typedef struct translate_options {
    model_catalog *catalog;        /* resolves model names (required) */
    const char *profile_arn;       /* root "profileArn" when non-NULL (social-auth accounts) */
    size_t max_upstream_bytes;     /* refuse bodies larger than this; 0 = 600000 */
    size_t max_tool_description;   /* 0 = 10000 characters */
    const char *conversation_id;   /* NULL = random UUID (tests pass a fixed one) */
    const char *continuation_id;   /* NULL = random UUID */
} translate_options;

typedef struct kiro_request {
    char model_id[MODEL_ID_SIZE];  /* Kiro modelId */
    char client_model[128];        /* model name as the client sent it (echoed back) */
    int stream;                    /* client asked for streaming */
    int thinking;                  /* thinking enabled (request field or -thinking model) */
    long max_tokens;
    long input_tokens_estimate;
    int tool_count;
    char *body;                    /* generateAssistantResponse JSON text (malloc'd) */
    size_t body_len;
    /* Tool names longer than 64 characters are shortened deterministically for the upstream;
     * this object maps each short name to the client's original (NULL when none was renamed).
     * Pass it to the response writer so that tool calls come back under the original name. */
    cJSON *tool_name_map;
} kiro_request;

/* Anthropic Messages request -> Kiro. Returns 0, or -1 with err filled (status 400 or 413). */
int translate_anthropic_request(const cJSON *request, const translate_options *options,
                                kiro_request *out, api_error *err);
void kiro_request_free(kiro_request *r);

/* The body as sent with one account's credential: r->body with its root "profileArn" set to
 * profile_arn on the parsed tree (replacing one already there), or r->body unchanged when
 * profile_arn is NULL or empty. *out is malloc'd NUL-terminated text (caller frees).
 * Returns 0, or -1 when r->body is not a JSON object or memory ran out. */
int kiro_request_body_for_account(const kiro_request *r, const char *profile_arn, char **out,
                                  size_t *out_len);

/* OpenAI chat.completions request -> an equivalent Anthropic Messages request (new object,
 * caller deletes). system/developer messages, content parts, image_url data URLs, tool_calls,
 * role "tool", tools/functions, max_tokens/max_completion_tokens, stream. NULL + err on error. */
cJSON *translate_openai_to_anthropic(const cJSON *request, api_error *err);

/* count_tokens estimate for an Anthropic request (about one token per 4 characters of
 * system, messages and tools). Returns -1 with err on a malformed request. */
long translate_estimate_input_tokens(const cJSON *request, api_error *err);

#endif
