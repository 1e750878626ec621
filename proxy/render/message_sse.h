/* message_sse.h: a complete Anthropic message object replayed as the Messages streaming events.
 *
 * Answers that are assembled whole before anything is sent (web_search through Kiro's MCP
 * endpoint, alone or in a search loop) reach streaming clients through this: message_start
 * (the message without its content, output_tokens 0), then per content block
 * content_block_start / deltas / content_block_stop, then message_delta (stop_reason,
 * stop_sequence, usage) and message_stop. Deltas: text_delta for text (in pieces of at most
 * MESSAGE_SSE_TEXT_PIECE characters), thinking_delta and signature_delta for thinking,
 * input_json_delta with the whole input for tool_use; every other block (server_tool_use,
 * web_search_tool_result, ...) is sent complete in its content_block_start, as the API does for
 * server tool blocks. */
#ifndef KIRO_RENDER_MESSAGE_SSE_H
#define KIRO_RENDER_MESSAGE_SSE_H

#include <cjson/cJSON.h>

#include "util/buf.h"

#define MESSAGE_SSE_TEXT_PIECE 100

/* Appends the events for message ({"type":"message","id",...,"content":[...],"stop_reason",
 * "usage"}) to out. Returns 0, or -1 when the message is not of that shape or out of memory. */
int message_sse_render(const cJSON *message, kbuf *out);

#endif
