/* web_search.h: POST /v1/messages requests for Anthropic's web_search server tool, answered
 * through Kiro's MCP endpoint as kiro-go and kiro.rs answer them.
 *
 * A request whose only tool is web_search (Claude Code's WebSearch sends exactly that) never
 * goes to generateAssistantResponse: the query is taken from the last user message, a
 * credential from the pool runs the MCP web_search call (kiro_mcp.h), and the client receives
 * Anthropic's server-tool blocks (web_search_render.h), streamed or as one message. A credential
 * the MCP endpoint refuses (401/403) is marked for refresh and the next one is tried, a few at
 * most; 402 disables it as for any Kiro call. No usable credential is a 503 API error; a search
 * that fails upstream is answered 200 with a web_search_tool_result_error block and a summary
 * saying why (never an empty success, which is what kiro-go sends); a request without a query
 * is a 400.
 *
 * Requests that combine web_search with other tools go through a local search loop instead:
 * see web_search_loop.h. */
#ifndef KIRO_SERVER_WEB_SEARCH_H
#define KIRO_SERVER_WEB_SEARCH_H

#include <cjson/cJSON.h>

#include "server/request.h"

/* Credentials tried for one search before giving up (kiro-go also stops after a few). */
#define WEB_SEARCH_MAX_CREDENTIALS 3
/* Longest wait for the MCP answer (less when the configured first-byte timeout is shorter). */
#define WEB_SEARCH_TIMEOUT_MS 60000

/* 1 when request offers the web_search server tool (alone or with other tools), which
 * web_search_answer then answers. */
int web_search_applies(const cJSON *request);
/* Answers rq for such a request (the loop of web_search_loop.h when other tools are offered). */
enum MHD_Result web_search_answer(request_ctx *rq, const cJSON *request);

#endif
