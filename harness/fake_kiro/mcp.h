/* mcp.h: Kiro's MCP endpoint (POST .../mcp), which serves the web_search tool.
 *
 * The request is JSON-RPC 2.0: {"id":"...","jsonrpc":"2.0","method":"tools/call","params":
 * {"name":"web_search","arguments":{"query":"..."}}} with the same Bearer token as the other Kiro
 * endpoints. The answer (as kiro-go reads it) is {"id","jsonrpc":"2.0","result":{"content":
 * [{"type":"text","text":"<JSON>"}],"isError":false}} where the text is itself JSON:
 * {"results":[{"title","url","snippet","publishedDate" (ms since the epoch),"id","domain"}],
 * "totalResults":N,"query":"...","error":null}. Protocol errors come back as a JSON-RPC "error"
 * object ({"code","message"}): -32700 body not JSON, -32600 not a JSON-RPC 2.0 request,
 * -32601 unknown method, -32602 bad params (unknown tool, missing or over-long query).
 *
 * The results are deterministic ("Result <i> for <query>", https://example.com/fake-kiro/<i>) so
 * that tests can predict them; --mcp-results sets their number. Faults: --mcp-hang,
 * --mcp-status, --mcp-rpc-error, --mcp-tool-error, --mcp-garbage. Each request is recorded for
 * GET /__fake/last-mcp-request. */
#ifndef FAKE_KIRO_MCP_H
#define FAKE_KIRO_MCP_H

#include <microhttpd.h>

#include <cjson/cJSON.h>

#include "app.h"
#include "request.h"

/* Longest query accepted (bytes). */
#define FK_MCP_MAX_QUERY_BYTES 2000

enum MHD_Result fk_handle_mcp(fk_app *app, struct MHD_Connection *c, fk_request *req);

/* The JSON text of the search results for query (n results); caller frees. NULL when out of
 * memory. Exposed for unit tests. */
char *fk_mcp_results_text(const char *query, long n);

#endif
