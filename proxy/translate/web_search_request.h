/* web_search_request.h: recognising a request for Anthropic's web_search server tool and
 * taking the search query out of it.
 *
 * Claude Code asks for a web search with a request of its own whose only tool is the server
 * tool {"type":"web_search_20250305","name":"web_search","max_uses":N} and whose user message
 * reads "Perform a web search for the query: <query>". Kiro has no such tool in
 * generateAssistantResponse; kiro-go and kiro.rs answer these requests through Kiro's MCP
 * endpoint instead (see server/web_search.h). A server tool is recognised as kiro-go does: name
 * "web_search" and a type starting with "web_search_". */
#ifndef KIRO_TRANSLATE_WEB_SEARCH_REQUEST_H
#define KIRO_TRANSLATE_WEB_SEARCH_REQUEST_H

#include <cjson/cJSON.h>

#include "util/api_error.h"

/* Claude Code's wording around the query. */
#define WEB_SEARCH_QUERY_PREFIX "Perform a web search for the query: "
/* Longest query sent upstream (bytes); longer ones get Anthropic's query_too_long. */
#define WEB_SEARCH_MAX_QUERY_BYTES 2000

typedef enum {
    WEB_SEARCH_NOT_ASKED,        /* no web_search server tool */
    WEB_SEARCH_ONLY,             /* web_search is the only tool: answered through MCP */
    WEB_SEARCH_WITH_OTHER_TOOLS, /* web_search among other tools */
} web_search_use;

/* 1 for {"type":"web_search_...","name":"web_search",...}. */
int anthropic_tool_is_web_search(const cJSON *tool);
/* How a (shape-checked or not) Anthropic request uses web_search. */
web_search_use web_search_requested(const cJSON *request);
/* The tool's max_uses, 0 when not stated (or not a positive integer). */
int web_search_max_uses(const cJSON *request);

/* The query of a web_search-only request: the text of the last user message (a string, or its
 * text blocks joined), without Claude Code's prefix and surrounding whitespace. Returns a
 * malloc'd string (caller frees; it may be longer than WEB_SEARCH_MAX_QUERY_BYTES, which the
 * caller answers with query_too_long), or NULL with err (400 invalid_request_error) when there
 * is no text to search for. */
char *web_search_query(const cJSON *request, api_error *err);

#endif
