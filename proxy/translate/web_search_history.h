/* web_search_history.h: server-tool blocks of earlier answers, sent back by the client in the
 * conversation history, as text for the upstream.
 *
 * Kiro's history has no place for server_tool_use or web_search_tool_result blocks; ignoring
 * them (as unknown blocks are) would make the model forget what a search found as soon as the
 * client sends the next turn, e.g. after a search loop that ended in a client tool call. So a
 * web_search server_tool_use becomes "[web_search: <query>]" and its result a short list of the
 * results' titles, addresses and ages (encrypted_content is left out: from the real API it is
 * opaque), or the error code of a failed search. */
#ifndef KIRO_TRANSLATE_WEB_SEARCH_HISTORY_H
#define KIRO_TRANSLATE_WEB_SEARCH_HISTORY_H

#include <cjson/cJSON.h>

#include "util/buf.h"

/* Most bytes of text one block becomes. */
#define WEB_SEARCH_HISTORY_MAX_BYTES (32u * 1024u)

/* Appends the text standing for block to out (cap it at WEB_SEARCH_HISTORY_MAX_BYTES or less).
 * Returns 1 when block is a web_search server_tool_use or web_search_tool_result, 0 when it is
 * another block (nothing appended), -1 when out of memory. */
int web_search_history_text(const cJSON *block, kbuf *out);

#endif
