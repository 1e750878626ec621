/* message_blocks.h: one Anthropic message to one conversation turn (internal).
 *
 * Block handling:
 *   text                        -> turn text (blocks joined with BLOCK_SEPARATOR)
 *   image (user, base64 png/jpeg/gif/webp, at most TRANSLATE_MAX_IMAGE_BYTES of base64)
 *                               -> {"format","source":{"bytes"}}; other sources (url, file) -> 400
 *   tool_use (assistant)        -> toolUses entry, its name shortened like the tool specs;
 *                                  as text "[tool use <name> (id <id>)] <input>" when the
 *                                  request defines no tools
 *   tool_result (user)          -> toolResults entry (text blocks joined, images moved to the
 *                                  turn); without tools it answers no toolUse, so
 *                                  conversation_finish turns it into text
 *   thinking, redacted_thinking -> dropped (the upstream cannot take them back)
 *   server_tool_use (web_search), web_search_tool_result
 *                               -> text (web_search_history.h), so that searches stay known
 *   any other type              -> ignored, so that new block types (documents, server tool
 *                                  results, ...) do not break clients; their content is lost.
 * Wrong field types inside known blocks answer 400. */
#ifndef KIRO_TRANSLATE_MESSAGE_BLOCKS_H
#define KIRO_TRANSLATE_MESSAGE_BLOCKS_H

#include <cjson/cJSON.h>

#include "translate/conversation.h"
#include "util/api_error.h"

typedef struct block_context {
    int tools_defined;       /* the request defines at least one tool */
    cJSON **tool_name_map;   /* short -> original names; entries added for shortened tool_uses */
} block_context;

/* Converts a checked message (see request_check.h) at position index into t, which the caller
 * has initialised with the message's role. Returns 0, or -1 with err. */
int message_to_turn(const cJSON *message, int index, const block_context *ctx, turn *t,
                    api_error *err);

#endif
