/* mcp.c: the web_search MCP endpoint of fake-kiro; see mcp.h. */
#include "mcp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "http_reply.h"
#include "request_body.h"

#define RESULT_DAY_MS 86400000.0
#define RESULT_FIRST_DATE_MS 1735689600000.0 /* 2025-01-01T00:00:00Z */

/* query with every byte outside [A-Za-z0-9-._~] percent-encoded, for the result URLs. */
static char *url_encode(const char *query)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t len = strlen(query);
    char *out = malloc(len * 3 + 1);
    if (!out)
        return NULL;
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)query; *p; p++) {
        unsigned char ch = *p;
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '.' || ch == '_' || ch == '~') {
            out[n++] = (char)ch;
        } else {
            out[n++] = '%';
            out[n++] = hex[ch >> 4];
            out[n++] = hex[ch & 15];
        }
    }
    out[n] = '\0';
    return out;
}

static cJSON *one_result(const char *query, const char *encoded, long i)
{
    char title[FK_MCP_MAX_QUERY_BYTES + 64];
    char snippet[FK_MCP_MAX_QUERY_BYTES + 64];
    char url[3 * FK_MCP_MAX_QUERY_BYTES + 64];
    char id[32];
    snprintf(title, sizeof title, "Result %ld for %s", i, query);
    snprintf(snippet, sizeof snippet, "Snippet %ld about %s, from fake-kiro.", i, query);
    snprintf(url, sizeof url, "https://example.com/fake-kiro/%ld?q=%s", i, encoded);
    snprintf(id, sizeof id, "fk-result-%ld", i);
    cJSON *r = cJSON_CreateObject();
    int ok = cJSON_AddStringToObject(r, "title", title) && cJSON_AddStringToObject(r, "url", url) &&
             cJSON_AddStringToObject(r, "snippet", snippet) &&
             cJSON_AddNumberToObject(r, "publishedDate",
                                     RESULT_FIRST_DATE_MS + (double)(i - 1) * RESULT_DAY_MS) &&
             cJSON_AddStringToObject(r, "id", id) &&
             cJSON_AddStringToObject(r, "domain", "example.com");
    if (!ok) {
        cJSON_Delete(r);
        return NULL;
    }
    return r;
}

char *fk_mcp_results_text(const char *query, long n)
{
    char *encoded = url_encode(query);
    cJSON *root = cJSON_CreateObject();
    cJSON *results = cJSON_AddArrayToObject(root, "results");
    int ok = encoded && results;
    for (long i = 1; ok && i <= n; i++) {
        cJSON *r = one_result(query, encoded, i);
        ok = r && cJSON_AddItemToArray(results, r);
        if (!ok)
            cJSON_Delete(r);
    }
    ok = ok && cJSON_AddNumberToObject(root, "totalResults", (double)n) &&
         cJSON_AddStringToObject(root, "query", query) && cJSON_AddNullToObject(root, "error");
    char *text = ok ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    free(encoded);
    return text;
}

/* {"id":<id or null>,"jsonrpc":"2.0"} with the request's id copied. */
static cJSON *envelope(const cJSON *request)
{
    cJSON *out = cJSON_CreateObject();
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(request, "id");
    cJSON *copy = id && (cJSON_IsString(id) || cJSON_IsNumber(id)) ? cJSON_Duplicate(id, 0)
                                                                   : cJSON_CreateNull();
    if (!copy || !cJSON_AddItemToObject(out, "id", copy) ||
        !cJSON_AddStringToObject(out, "jsonrpc", "2.0")) {
        cJSON_Delete(copy);
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

static enum MHD_Result rpc_error(struct MHD_Connection *c, fk_request *req, const cJSON *request,
                                 int code, const char *message)
{
    cJSON *out = envelope(request);
    cJSON *error = out ? cJSON_AddObjectToObject(out, "error") : NULL;
    if (!error || !cJSON_AddNumberToObject(error, "code", code) ||
        !cJSON_AddStringToObject(error, "message", message)) {
        cJSON_Delete(out);
        return fk_reply_message(c, req, 500, "fake-kiro: out of memory");
    }
    return fk_reply_cjson(c, req, 200, out);
}

/* result {"content":[{"type":"text","text":text}],"isError":is_error}. */
static enum MHD_Result rpc_result(struct MHD_Connection *c, fk_request *req, const cJSON *request,
                                  const char *text, int is_error)
{
    cJSON *out = envelope(request);
    cJSON *result = out ? cJSON_AddObjectToObject(out, "result") : NULL;
    cJSON *content = result ? cJSON_AddArrayToObject(result, "content") : NULL;
    cJSON *item = cJSON_CreateObject();
    int ok = content && item && cJSON_AddStringToObject(item, "type", "text") &&
             cJSON_AddStringToObject(item, "text", text) && cJSON_AddItemToArray(content, item);
    if (!ok)
        cJSON_Delete(item);
    if (!ok || !cJSON_AddBoolToObject(result, "isError", is_error)) {
        cJSON_Delete(out);
        return fk_reply_message(c, req, 500, "fake-kiro: out of memory");
    }
    return fk_reply_cjson(c, req, 200, out);
}

/* The query of a valid web_search call, or NULL with *code and *message set. */
static const char *check_call(const cJSON *body, int *code, const char **message)
{
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(body, "jsonrpc");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(body, "id");
    const cJSON *method = cJSON_GetObjectItemCaseSensitive(body, "method");
    if (!cJSON_IsObject(body) || !cJSON_IsString(version) ||
        strcmp(version->valuestring, "2.0") != 0 || !(cJSON_IsString(id) || cJSON_IsNumber(id)) ||
        !cJSON_IsString(method)) {
        *code = -32600;
        *message = "Invalid Request";
        return NULL;
    }
    if (strcmp(method->valuestring, "tools/call") != 0) {
        *code = -32601;
        *message = "Method not found";
        return NULL;
    }
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(body, "params");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(params, "name");
    const cJSON *arguments = cJSON_GetObjectItemCaseSensitive(params, "arguments");
    const cJSON *query = cJSON_GetObjectItemCaseSensitive(arguments, "query");
    *code = -32602;
    if (!cJSON_IsString(name) || strcmp(name->valuestring, "web_search") != 0) {
        *message = "Invalid params: unknown tool";
        return NULL;
    }
    if (!cJSON_IsString(query) || query->valuestring[0] == '\0') {
        *message = "Invalid params: arguments.query must be a non-empty string";
        return NULL;
    }
    if (strlen(query->valuestring) > FK_MCP_MAX_QUERY_BYTES) {
        *message = "Invalid params: query too long";
        return NULL;
    }
    return query->valuestring;
}

/* Hang or status faults, before the body is looked at. Returns 1 when one ended the request. */
static int transport_fault(fk_app *app, struct MHD_Connection *c, fk_request *req,
                           const fk_mcp_settings *s, enum MHD_Result *result)
{
    if (s->hang) {
        fk_stats_count_fault(&app->stats);
        fk_stats_hang_begin(&app->stats);
        fk_wait(&app->shutdown, req->client_fd, -1);
        fk_stats_hang_end(&app->stats);
        *result = MHD_NO;
        return 1;
    }
    if (s->status > 0) {
        fk_stats_count_fault(&app->stats);
        *result = fk_reply_aws_status(c, req, (int)s->status, 0);
        return 1;
    }
    return 0;
}

enum MHD_Result fk_handle_mcp(fk_app *app, struct MHD_Connection *c, fk_request *req)
{
    cJSON *body = fk_request_json(req);
    fk_request_record(&app->last_mcp_request, c, req, body);
    enum MHD_Result result;
    fk_mcp_settings s;
    fk_config_take_mcp(&app->config, &s);
    if (!fk_auth_check(app, c, req, &result) || transport_fault(app, c, req, &s, &result)) {
        cJSON_Delete(body);
        return result;
    }
    if (!body) {
        result = rpc_error(c, req, NULL, -32700, "Parse error");
        return result;
    }
    int code = 0;
    const char *message = NULL;
    const char *query = check_call(body, &code, &message);
    if (!query) {
        result = rpc_error(c, req, body, code, message);
    } else if (s.garbage) {
        fk_stats_count_fault(&app->stats);
        result = fk_reply_json(c, req, 200, "<html>upstream proxy error</html>");
    } else if (s.rpc_error) {
        fk_stats_count_fault(&app->stats);
        result = rpc_error(c, req, body, -32603, "Internal error: search backend unavailable");
    } else if (s.tool_error) {
        fk_stats_count_fault(&app->stats);
        result = rpc_result(c, req, body, "Search failed: the search provider timed out", 1);
    } else {
        char *text = fk_mcp_results_text(query, s.results);
        result = text ? rpc_result(c, req, body, text, 0)
                      : fk_reply_message(c, req, 500, "fake-kiro: out of memory");
        free(text);
    }
    cJSON_Delete(body);
    return result;
}
