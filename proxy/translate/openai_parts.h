/* openai_parts.h: pieces of the OpenAI -> Anthropic request conversion (internal).
 *
 * Choices:
 *   - image_url parts must be data URLs ("data:image/png;base64,..."); http(s) URLs answer 400,
 *     because the upstream needs the bytes and the proxy does not fetch URLs for clients (no
 *     server-side requests on a client's behalf).
 *   - tool_calls arguments that are not a JSON object (invalid JSON, a truncated call, an empty
 *     string) become the empty input {}, so that a conversation holding one broken call can
 *     still continue.
 *   - content parts of other types (input_audio, file, ...) are ignored, like unknown
 *     Anthropic blocks; "refusal" parts of assistant messages are kept as text.
 *   - tools entries whose type is not "function" are ignored. */
#ifndef KIRO_TRANSLATE_OPENAI_PARTS_H
#define KIRO_TRANSLATE_OPENAI_PARTS_H

#include <cjson/cJSON.h>

#include "util/api_error.h"
#include "util/buf.h"

/* Appends Anthropic content blocks for an OpenAI message content (a string, null or an array
 * of parts) to blocks; where names the message in errors ("messages[2]"). Image parts are
 * accepted only when allow_images. Returns 0, or -1 with err. */
int openai_content_blocks(const cJSON *content, const char *where, int allow_images,
                          cJSON *blocks, api_error *err);

/* Appends the text of a content (string, null or text parts joined with a newline) to out.
 * Returns 0, or -1 with err. */
int openai_content_text(const cJSON *content, const char *where, kbuf *out, api_error *err);

/* Appends one Anthropic tool_use block per entry of an assistant's "tool_calls" to blocks. */
int openai_tool_calls_blocks(const cJSON *tool_calls, const char *where, cJSON *blocks,
                             api_error *err);

/* Sets *tools to the Anthropic "tools" array built from "tools" and the legacy "functions"
 * of the request, or NULL when there are none. Returns 0, or -1 with err. */
int openai_tools_to_anthropic(const cJSON *request, cJSON **tools, api_error *err);

#endif
