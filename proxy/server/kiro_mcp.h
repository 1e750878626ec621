/* kiro_mcp.h: one web_search call to Kiro's MCP endpoint, the way kiro-go and kiro.rs make it.
 *
 * POST {base}/mcp (https://q.{region}.amazonaws.com/mcp for the real service) with the Kiro
 * identity headers, Authorization: Bearer <access token>, x-amzn-kiro-profile-arn when the
 * account has one, and a JSON-RPC 2.0 body {"id":"web_search_tooluse_<22>_<ms>_<8>",
 * "jsonrpc":"2.0","method":"tools/call","params":{"name":"web_search","arguments":
 * {"query":...}}}. The answer's result.content[0].text holds the results as JSON text
 * ({"results":[{"title","url","snippet","publishedDate",...}]}).
 *
 * The caller passes a narrow context (where, with which token and headers, how long) and gets
 * the results or a classified failure; nothing here knows about the app, the pool or clients'
 * APIs. The whole call is bounded by connect and total timeouts, the answer by a size cap, and
 * it ends early when *stopping becomes non-zero or the client's socket closes. Every string
 * taken from the answer is made valid UTF-8 and cut (at a character boundary) to the bounds of
 * render/web_search_render.h. */
#ifndef KIRO_SERVER_KIRO_MCP_H
#define KIRO_SERVER_KIRO_MCP_H

#include <stdatomic.h>

#include "render/web_search_render.h"

/* Largest MCP answer read. */
#define KIRO_MCP_MAX_ANSWER_BYTES (2u * 1024u * 1024u)

typedef struct kiro_mcp_context {
    const char *base_url; /* no trailing slash: https://q.{region}.amazonaws.com */
    const char *access_token;
    const char *profile_arn;             /* NULL or "" = none */
    const char *const *identity_headers; /* NULL-terminated "Name: value" lines, or NULL */
    int connect_timeout_ms;
    int timeout_ms;             /* the whole call */
    const atomic_int *stopping; /* non-zero: give up at once (may be NULL) */
    int client_fd;              /* give up when this socket closes (-1: not watched) */
} kiro_mcp_context;

typedef enum {
    KIRO_MCP_OK,
    KIRO_MCP_NETWORK,    /* no answer: connection failed, timed out, answer too large */
    KIRO_MCP_HTTP,       /* answered with a non-200 status (http_status) */
    KIRO_MCP_RPC_ERROR,  /* a JSON-RPC error object */
    KIRO_MCP_TOOL_ERROR, /* result.isError, or the results' own "error" */
    KIRO_MCP_BAD_ANSWER, /* 200 but not the JSON-RPC answer described above */
    KIRO_MCP_ABORTED,    /* stopped, or the client went away */
} kiro_mcp_status;

typedef struct kiro_mcp_error {
    kiro_mcp_status status;
    long http_status;  /* KIRO_MCP_HTTP */
    char message[400]; /* what went wrong, for logs and the client (no secrets) */
} kiro_mcp_error;

/* "web_search_tooluse_" + 22 alphanumerics + "_" + ms timestamp + "_" + 8 lowercase alnums:
 * the JSON-RPC id format kiro-go and kiro.rs use (after the Kiro IDE). out_size >= 64. */
void kiro_mcp_request_id(char *out, size_t out_size);
/* "srvtoolu_" + 32 hex digits: the server_tool_use id shown to the client. out_size >= 48. */
void kiro_mcp_tool_use_id(char *out, size_t out_size);

/* The JSON-RPC request body (malloc'd, caller frees), or NULL when out of memory. */
char *kiro_mcp_request_body(const char *request_id, const char *query);

/* Parses an MCP answer body into out. Returns KIRO_MCP_OK, or the failure with err filled
 * (RPC_ERROR, TOOL_ERROR, BAD_ANSWER). out is left empty on failure. */
kiro_mcp_status kiro_mcp_parse_answer(const char *body, size_t len, web_search_results *out,
                                      kiro_mcp_error *err);

/* Makes the call. Returns KIRO_MCP_OK with *out filled (free with web_search_results_free),
 * or the failure with err filled and *out empty. */
kiro_mcp_status kiro_mcp_web_search(const kiro_mcp_context *ctx, const char *query,
                                    web_search_results *out, kiro_mcp_error *err);

#endif
