/* web_search_exec.h: one web search run with the caller's credentials, shared by the
 * web_search-only route (web_search.c) and the loop for web_search among other tools
 * (web_search_loop.c).
 *
 * Picks a credential, calls Kiro's MCP endpoint (kiro_mcp.h) and fails over to the next
 * credential on 401/403/402, at most WEB_SEARCH_MAX_CREDENTIALS of them. The outcome is either
 * the results or a failure in Anthropic's terms (error_code for web_search_tool_result_error
 * and a message saying what happened). */
#ifndef KIRO_SERVER_WEB_SEARCH_EXEC_H
#define KIRO_SERVER_WEB_SEARCH_EXEC_H

#include "render/web_search_render.h"
#include "server/upstream.h"

struct app;

typedef struct web_search_failure {
    const char *error_code; /* unavailable, too_many_requests, query_too_long */
    char message[400];
    int searched;      /* the upstream was asked at least once */
    int no_credential; /* no credential could be tried at all */
    int client_gone;   /* the client left (or the proxy stops): nobody to answer */
} web_search_failure;

/* Returns 0 with *out filled (free with web_search_results_free), or -1 with *f filled and
 * *out empty. up: the request's upstream context (app_upstream_for), so that an act-<code>
 * caller searches with its own credential like its other calls. client_fd: the client's
 * socket, watched so that a departed client ends the call (-1: not watched). request_id: for
 * the log. */
int web_search_execute(struct app *a, const upstream_ctx *up, const char *query, int client_fd,
                       const char *request_id, web_search_results *out, web_search_failure *f);

#endif
