/* token_count.h: the input token estimate of an already checked request (internal).
 *
 * translate_estimate_input_tokens (translate.h) validates and then calls this; the Kiro
 * translation calls it directly after its own validation to fill input_tokens_estimate. */
#ifndef KIRO_TRANSLATE_TOKEN_COUNT_H
#define KIRO_TRANSLATE_TOKEN_COUNT_H

#include <cjson/cJSON.h>

#include "translate/request_check.h"

/* Tokens charged per image, whatever its size. */
#define TOKEN_ESTIMATE_PER_IMAGE 1600
/* Characters per token. */
#define TOKEN_ESTIMATE_CHARS_PER_TOKEN 4

/* About one token per TOKEN_ESTIMATE_CHARS_PER_TOKEN characters of system prompt, message
 * text, tool_use inputs, tool_result contents and tool definitions, plus a fixed cost per
 * image; at least 1. Fields of the wrong type inside blocks count nothing. */
long token_estimate_checked(const anthropic_fields *fields);

#endif
