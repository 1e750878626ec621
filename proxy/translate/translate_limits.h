/* translate_limits.h: the bounds and placeholder texts of the request translation.
 *
 * Every size a client controls is checked against one of these limits, and every text the
 * proxy inserts into a conversation on its own is named here, so that the documentation, the
 * code and the tests refer to the same values. */
#ifndef KIRO_TRANSLATE_LIMITS_H
#define KIRO_TRANSLATE_LIMITS_H

/* Defaults of translate_options. */
#define TRANSLATE_DEFAULT_MAX_UPSTREAM_BYTES 600000
#define TRANSLATE_DEFAULT_MAX_TOOL_DESCRIPTION 10000

/* Request bounds. Exceeding a size bound answers 413, a count or range bound 400. */
#define TRANSLATE_MAX_MESSAGES 20000         /* 413 beyond */
#define TRANSLATE_MAX_TOOLS 1000             /* 400 beyond */
#define TRANSLATE_MAX_OUTPUT_TOKENS 1000000  /* max_tokens must be 1..this */
#define TRANSLATE_MAX_THINKING_BUDGET 1000000
#define TRANSLATE_DEFAULT_THINKING_BUDGET 16000
#define TRANSLATE_MAX_TEXT_BYTES (64u * 1024u * 1024u) /* OpenAI-side texts; 413 beyond */
#define TRANSLATE_MAX_IMAGE_BYTES (10u * 1024u * 1024u) /* base64 text per image; 413 beyond */

/* Upstream tool names are at most this many bytes. */
#define TOOL_NAME_MAX 64

/* Texts inserted by the proxy. The upstream rejects empty content, so every turn that would be
 * empty (or only whitespace) gets one of these:
 *   a user turn that carries tool results and no text   -> PLACEHOLDER_TOOL_RESULTS
 *   any other empty user turn (also the user turn put in
 *   front of a conversation that starts with assistant)  -> PLACEHOLDER_USER
 *   an assistant turn that only calls tools              -> PLACEHOLDER_TOOL_USES
 *   any other empty assistant turn                       -> PLACEHOLDER_ASSISTANT
 *   a tool result with no content                        -> PLACEHOLDER_TOOL_OUTPUT
 * A request that ends with an assistant message (prefill) is sent with that message in the
 * history and PLACEHOLDER_CONTINUE as the current user content. */
#define PLACEHOLDER_TOOL_RESULTS "Tool results provided."
#define PLACEHOLDER_USER "(empty message)"
#define PLACEHOLDER_TOOL_USES "(tool call)"
#define PLACEHOLDER_ASSISTANT "(empty response)"
#define PLACEHOLDER_TOOL_OUTPUT "(no output)"
#define PLACEHOLDER_CONTINUE "Continue"

/* Separators: between merged turns and between the system prompt and the first user turn. */
#define TURN_SEPARATOR "\n\n"
/* Between text blocks of one message, between system blocks, between tool result blocks. */
#define BLOCK_SEPARATOR "\n"

#endif
