/* kiro_mcp.c: the web_search call to Kiro's MCP endpoint; see kiro_mcp.h.
 *
 * One libcurl easy transfer on the calling thread: a request's own short wait, bounded by
 * CURLOPT_CONNECTTIMEOUT_MS / CURLOPT_TIMEOUT_MS, with a progress callback that ends it when
 * the proxy stops or the client leaves. */
#include "server/kiro_mcp.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "render/json_exact.h"
#include "util/utf8.h"
#include "util/buf.h"
#include "util/random.h"

static void random_chars(const char *alphabet, size_t n, char *out)
{
    size_t size = strlen(alphabet);
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[random_below(size)];
    out[n] = '\0';
}

void kiro_mcp_request_id(char *out, size_t out_size)
{
    char mixed[23], lower[9];
    random_chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 22, mixed);
    random_chars("abcdefghijklmnopqrstuvwxyz0123456789", 8, lower);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    long long ms = (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
    snprintf(out, out_size, "web_search_tooluse_%s_%lld_%s", mixed, ms, lower);
}

void kiro_mcp_tool_use_id(char *out, size_t out_size)
{
    char hex[33];
    random_chars("0123456789abcdef", 32, hex);
    snprintf(out, out_size, "srvtoolu_%s", hex);
}

char *kiro_mcp_request_body(const char *request_id, const char *query)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "id", request_id);
    cJSON_AddStringToObject(root, "jsonrpc", "2.0");
    cJSON_AddStringToObject(root, "method", "tools/call");
    cJSON *params = cJSON_AddObjectToObject(root, "params");
    cJSON_AddStringToObject(params, "name", "web_search");
    cJSON *arguments = cJSON_AddObjectToObject(params, "arguments");
    char *body = arguments && cJSON_AddStringToObject(arguments, "query", query)
                     ? cJSON_PrintUnformatted(root)
                     : NULL;
    cJSON_Delete(root);
    return body;
}

/* ---- the answer --------------------------------------------------------------------------- */

/* err = prefix followed by (at most 300 bytes of) detail. */
static kiro_mcp_status fail(kiro_mcp_error *err, kiro_mcp_status status, const char *prefix,
                            const char *detail)
{
    err->status = status;
    snprintf(err->message, sizeof err->message, "%s%.300s", prefix, detail ? detail : "");
    /* the message may quote the upstream: keep it to one printable line */
    for (char *p = err->message; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
    return status;
}

/* A valid-UTF-8 copy of s cut to max_bytes at a character boundary; NULL when out of memory. */
static char *clean_copy(const char *s, size_t max_bytes)
{
    kbuf clean = KBUF_INIT(0);
    size_t len = strlen(s);
    if (utf8_sanitize_append(&clean, s, len < 3 * max_bytes ? len : 3 * max_bytes) != KBUF_OK) {
        kbuf_free(&clean);
        return NULL;
    }
    size_t keep = clean.data ? utf8_truncate(clean.data, clean.len, max_bytes) : 0;
    char *out = bytes_dup(clean.data ? clean.data : "", keep);
    kbuf_free(&clean);
    return out;
}

/* One result; 1 when added, 0 when skipped (no title or url), -1 when out of memory. */
static int add_hit(const cJSON *item, web_search_results *out)
{
    const cJSON *title = cJSON_GetObjectItemCaseSensitive(item, "title");
    const cJSON *url = cJSON_GetObjectItemCaseSensitive(item, "url");
    const cJSON *snippet = cJSON_GetObjectItemCaseSensitive(item, "snippet");
    const cJSON *date = cJSON_GetObjectItemCaseSensitive(item, "publishedDate");
    if (!cJSON_IsString(url) || url->valuestring[0] == '\0')
        return 0;
    web_search_hit *h = &out->hits[out->count];
    memset(h, 0, sizeof *h);
    h->title = clean_copy(cJSON_IsString(title) ? title->valuestring : url->valuestring,
                          WEB_SEARCH_MAX_TITLE_BYTES);
    h->url = clean_copy(url->valuestring, WEB_SEARCH_MAX_URL_BYTES);
    h->snippet = cJSON_IsString(snippet)
                     ? clean_copy(snippet->valuestring, WEB_SEARCH_MAX_SNIPPET_BYTES)
                     : NULL;
    h->published_ms = cJSON_IsNumber(date) ? date->valuedouble : -1;
    if (!h->title || !h->url || (cJSON_IsString(snippet) && !h->snippet)) {
        free(h->title);
        free(h->url);
        free(h->snippet);
        return -1;
    }
    out->count++;
    return 1;
}

/* The results object carried as text in result.content[0]. */
static kiro_mcp_status parse_results(const char *text, web_search_results *out, kiro_mcp_error *err)
{
    cJSON *root = json_parse_exact(text, strlen(text));
    const cJSON *results = cJSON_GetObjectItemCaseSensitive(root, "results");
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(root, "error");
    kiro_mcp_status status = KIRO_MCP_OK;
    if (cJSON_IsString(error) && error->valuestring[0]) {
        status = fail(err, KIRO_MCP_TOOL_ERROR, "the search reported: ", error->valuestring);
    } else if (!cJSON_IsArray(results)) {
        status =
            fail(err, KIRO_MCP_BAD_ANSWER, "the MCP answer's text holds no \"results\" list", NULL);
    } else {
        out->hits = calloc(WEB_SEARCH_MAX_RESULTS, sizeof *out->hits);
        if (!out->hits)
            status = fail(err, KIRO_MCP_BAD_ANSWER, "out of memory", NULL);
        const cJSON *item;
        cJSON_ArrayForEach(item, results)
        {
            if (status != KIRO_MCP_OK || out->count >= WEB_SEARCH_MAX_RESULTS)
                break;
            if (cJSON_IsObject(item) && add_hit(item, out) < 0)
                status = fail(err, KIRO_MCP_BAD_ANSWER, "out of memory", NULL);
        }
    }
    cJSON_Delete(root);
    if (status != KIRO_MCP_OK)
        web_search_results_free(out);
    return status;
}

/* The text of the first text item of result.content, or NULL. */
static const char *first_text(const cJSON *result)
{
    const cJSON *item = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(result, "content"), 0);
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(item, "type");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(item, "text");
    if (!cJSON_IsString(type) || strcmp(type->valuestring, "text") != 0 || !cJSON_IsString(text))
        return NULL;
    return text->valuestring;
}

kiro_mcp_status kiro_mcp_parse_answer(const char *body, size_t len, web_search_results *out,
                                      kiro_mcp_error *err)
{
    memset(out, 0, sizeof *out);
    memset(err, 0, sizeof *err);
    cJSON *root = body && len ? json_parse_exact(body, len) : NULL;
    kiro_mcp_status status;
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(root, "error");
    const cJSON *result = cJSON_GetObjectItemCaseSensitive(root, "result");
    if (!cJSON_IsObject(root)) {
        status = fail(err, KIRO_MCP_BAD_ANSWER, "the MCP answer is not a JSON object", NULL);
    } else if (error && !cJSON_IsNull(error)) {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(error, "code");
        const cJSON *message = cJSON_GetObjectItemCaseSensitive(error, "message");
        char detail[360];
        snprintf(detail, sizeof detail, "%ld %.300s",
                 cJSON_IsNumber(code) ? (long)code->valuedouble : -1L,
                 cJSON_IsString(message) ? message->valuestring : "(no message)");
        status = fail(err, KIRO_MCP_RPC_ERROR, "MCP error ", detail);
    } else if (!cJSON_IsObject(result)) {
        status =
            fail(err, KIRO_MCP_BAD_ANSWER, "the MCP answer has neither result nor error", NULL);
    } else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(result, "isError"))) {
        const char *text = first_text(result);
        status =
            fail(err, KIRO_MCP_TOOL_ERROR, "the search tool failed: ", text ? text : "(no detail)");
    } else {
        const char *text = first_text(result);
        status = text
                     ? parse_results(text, out, err)
                     : fail(err, KIRO_MCP_BAD_ANSWER, "the MCP result holds no text content", NULL);
    }
    cJSON_Delete(root);
    return status;
}

/* ---- the transfer ------------------------------------------------------------------------- */

typedef struct transfer {
    const kiro_mcp_context *ctx;
    kbuf body;
    int too_large;
    int aborted;
} transfer;

static size_t collect(char *data, size_t size, size_t nmemb, void *userdata)
{
    transfer *t = userdata;
    size_t n = size * nmemb;
    if (kbuf_append(&t->body, data, n) != KBUF_OK) {
        t->too_large = 1;
        return 0; /* aborts with CURLE_WRITE_ERROR */
    }
    return n;
}

static int client_closed(int fd)
{
    char byte;
    ssize_t n = recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

static int progress(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                    curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    transfer *t = clientp;
    if ((t->ctx->stopping && atomic_load(t->ctx->stopping)) ||
        (t->ctx->client_fd >= 0 && client_closed(t->ctx->client_fd))) {
        t->aborted = 1;
        return 1;
    }
    return 0;
}

static struct curl_slist *headers_for(const kiro_mcp_context *ctx)
{
    char line[9000];
    char uuid[UUID_STR_SIZE];
    struct curl_slist *h = NULL;
    snprintf(line, sizeof line, "Authorization: Bearer %s", ctx->access_token);
    h = curl_slist_append(h, line);
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Accept: */*");
    for (size_t i = 0; ctx->identity_headers && ctx->identity_headers[i]; i++)
        h = curl_slist_append(h, ctx->identity_headers[i]);
    h = curl_slist_append(h, "amz-sdk-request: attempt=1; max=3");
    random_uuid(uuid);
    snprintf(line, sizeof line, "amz-sdk-invocation-id: %s", uuid);
    h = curl_slist_append(h, line);
    if (ctx->profile_arn && ctx->profile_arn[0]) {
        snprintf(line, sizeof line, "x-amzn-kiro-profile-arn: %s", ctx->profile_arn);
        h = curl_slist_append(h, line);
    }
    h = curl_slist_append(h, "Expect:");
    return h;
}

kiro_mcp_status kiro_mcp_web_search(const kiro_mcp_context *ctx, const char *query,
                                    web_search_results *out, kiro_mcp_error *err)
{
    memset(out, 0, sizeof *out);
    memset(err, 0, sizeof *err);
    char request_id[96];
    kiro_mcp_request_id(request_id, sizeof request_id);
    char *body = kiro_mcp_request_body(request_id, query);
    struct curl_slist *headers = headers_for(ctx);
    CURL *e = curl_easy_init();
    if (!body || !headers || !e) {
        free(body);
        curl_slist_free_all(headers);
        if (e)
            curl_easy_cleanup(e);
        return fail(err, KIRO_MCP_NETWORK, "cannot start the MCP request (out of memory)", NULL);
    }
    char url[640];
    snprintf(url, sizeof url, "%s/mcp", ctx->base_url);
    transfer t = {ctx, KBUF_INIT(KIRO_MCP_MAX_ANSWER_BYTES), 0, 0};
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)ctx->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)ctx->timeout_ms);
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, progress);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, &t);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode rc = curl_easy_perform(e);
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(e);
    curl_slist_free_all(headers);
    free(body);

    kiro_mcp_status result;
    if (t.aborted) {
        result = fail(err, KIRO_MCP_ABORTED, "the web search was abandoned", NULL);
    } else if (t.too_large) {
        result = fail(err, KIRO_MCP_NETWORK, "the MCP answer is larger than allowed", NULL);
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        char why[64];
        snprintf(why, sizeof why, "%d ms", ctx->timeout_ms);
        result = fail(err, KIRO_MCP_NETWORK, "no MCP answer within ", why);
    } else if (rc != CURLE_OK) {
        result =
            fail(err, KIRO_MCP_NETWORK,
                 "the MCP endpoint is unreachable: ", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    } else if (status != 200) {
        char detail[360];
        snprintf(detail, sizeof detail, "%ld: %.300s", status, t.body.data ? t.body.data : "");
        result = fail(err, KIRO_MCP_HTTP, "the MCP endpoint answered HTTP ", detail);
        err->http_status = status;
    } else {
        result = kiro_mcp_parse_answer(t.body.data, t.body.len, out, err);
    }
    kbuf_free(&t.body);
    return result;
}
