/* web_search_render.h: the answer to a web_search request, in Anthropic's server-tool shape.
 *
 * The content is what kiro-go and kiro.rs send, block by block: a text block announcing the
 * search (I'll search for "<query>".), a server_tool_use block {id srvtoolu_..., name
 * web_search, input {query}}, a web_search_tool_result block and a text block summarising the
 * results (numbered titles, snippets cut at 200 characters, sources). Each result is
 * {"type":"web_search_result","title","url","encrypted_content","page_age"} with the snippet as
 * encrypted_content and the publication date as "January 2, 2006" (UTC), as kiro-go does.
 * Unlike kiro-go, the web_search_tool_result carries the tool_use_id the official SDKs require,
 * and a failed search is never shown as an empty success: the result is Anthropic's error form
 * {"type":"web_search_tool_result_error","error_code":...} and the summary says why.
 * stop_reason is end_turn; usage carries server_tool_use.web_search_requests (1 when the
 * upstream was asked, 0 when the query was refused before). Streams (RW_ANTHROPIC_SSE) get
 * message_start ... message_stop, the rest (RW_ANTHROPIC_JSON) one message object. */
#ifndef KIRO_RENDER_WEB_SEARCH_RENDER_H
#define KIRO_RENDER_WEB_SEARCH_RENDER_H

#include <stddef.h>

#include "render/response_writer.h"
#include "util/buf.h"

/* Bounds on what one search answer may hold (results beyond are dropped, strings cut at a
 * character boundary). */
#define WEB_SEARCH_MAX_RESULTS 50
#define WEB_SEARCH_MAX_TITLE_BYTES 1024
#define WEB_SEARCH_MAX_URL_BYTES 4096
#define WEB_SEARCH_MAX_SNIPPET_BYTES 8192
/* The summary quotes at most this many characters of each snippet. */
#define WEB_SEARCH_SUMMARY_SNIPPET_CHARS 200

typedef struct web_search_hit {
    char *title;         /* never NULL */
    char *url;           /* never NULL */
    char *snippet;       /* NULL when the upstream gave none */
    double published_ms; /* publication time (ms since the epoch), < 0 when unknown */
} web_search_hit;

typedef struct web_search_results {
    web_search_hit *hits;
    size_t count;
} web_search_results;

void web_search_results_free(web_search_results *r);

/* What happened to one search. error_code NULL: results holds the answer (possibly no hit).
 * Otherwise error_code is Anthropic's (unavailable, too_many_requests, query_too_long,
 * invalid_tool_input) and error_message says what went wrong in words. */
typedef struct web_search_outcome {
    const char *query;
    const char *tool_use_id; /* srvtoolu_... */
    const web_search_results *results;
    const char *error_code;
    const char *error_message;
    int searched; /* the upstream was asked (web_search_requests) */
} web_search_outcome;

typedef struct web_search_render_options {
    rw_format format;       /* RW_ANTHROPIC_SSE or RW_ANTHROPIC_JSON */
    const char *model;      /* echoed to the client */
    const char *message_id; /* NULL = generated msg_... */
    long input_tokens;      /* the request's estimate */
} web_search_render_options;

/* Appends the whole answer to out. Returns 0, or -1 (out of memory, or a format other than
 * the two Anthropic ones). */
int web_search_render(const web_search_render_options *options, const web_search_outcome *o,
                      kbuf *out);

/* The two server-tool blocks of one search, [server_tool_use, web_search_tool_result], as a
 * JSON array (caller deletes); NULL when out of memory. The search loop puts them into its
 * answers. */
cJSON *web_search_server_blocks(const web_search_outcome *o);

/* The summary text (also used as the tool result fed back to the model). Returns 0 or -1. */
int web_search_summary(const web_search_outcome *o, kbuf *out);

/* "January 2, 2006" for a time in ms since the epoch (UTC); "" when out of range. */
void web_search_page_age(double published_ms, char *out, size_t out_size);

#endif
