/* web_search_loop.h: web_search offered together with other tools, answered the way kiro-go
 * answers it (its websearch_loop, after kiro.rs): a local search loop around
 * generateAssistantResponse.
 *
 * The server tool is offered to Kiro as an ordinary tool named web_search (input {query}).
 * Each round runs one buffered generateAssistantResponse; while the model asks only for
 * web_search, the searches run through Kiro's MCP endpoint (web_search_exec.h), their
 * summaries go back to the model as tool results and the next round follows, at most
 * max_uses rounds (capped at WEB_SEARCH_LOOP_MAX_ROUNDS). The answer then carries, before the
 * final round's content, a server_tool_use + web_search_tool_result pair per search; a
 * web_search asked for in the final round next to client tools is run and shown the same way
 * (or, past max_uses, shown as web_search_tool_result_error max_uses_exceeded); client
 * tool_use blocks are returned untouched, with stop_reason tool_use. A search that fails is
 * shown as web_search_tool_result_error and told to the model as a failed tool result (kiro-go
 * ends the whole request with an error instead). Usage: the final round's input and cache
 * counts, the output of every round, server_tool_use.web_search_requests.
 *
 * Everything is buffered, so a streaming client receives the events (message_sse.h) once the
 * loop is over; an upstream failure is answered with its API error and status. */
#ifndef KIRO_SERVER_WEB_SEARCH_LOOP_H
#define KIRO_SERVER_WEB_SEARCH_LOOP_H

#include <cjson/cJSON.h>

#include "server/request.h"

/* kiro-go's bound on search rounds. */
#define WEB_SEARCH_LOOP_MAX_ROUNDS 5

/* Answers rq for a request that offers web_search among other tools. */
enum MHD_Result web_search_loop_answer(request_ctx *rq, const cJSON *request);

/* The request as sent to Kiro: a copy with the web_search server tool replaced by an ordinary
 * tool of that name and "stream" removed (caller deletes). NULL with err: 400 when a client
 * tool is also named web_search, 500 when out of memory. Exposed for unit tests. */
cJSON *web_search_loop_request(const cJSON *request, api_error *err);

#endif
