/* web_search.c: web_search requests through Kiro's MCP endpoint; see web_search.h and
 * web_search_exec.h. */
#include "server/web_search.h"
#include "server/web_search_exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log/log.h"
#include "util/utf8.h"
#include "render/web_search_render.h"
#include "server/app.h"
#include "server/cred_choice.h"
#include "server/kiro_mcp.h"
#include "server/upstream.h"
#include "server/web_search_loop.h"
#include "translate/translate.h"
#include "translate/web_search_request.h"
#include "util/clock.h"
#include "util/kiro_identity.h"

static int search_timeout_ms(const proxy_config *cfg)
{
    int ms = cfg->first_byte_timeout_ms;
    return ms > 0 && ms < WEB_SEARCH_TIMEOUT_MS ? ms : WEB_SEARCH_TIMEOUT_MS;
}

static void set_failure(web_search_failure *f, const char *code, const char *message)
{
    f->error_code = code;
    snprintf(f->message, sizeof f->message, "%s", message);
}

/* One MCP call with one credential. */
static kiro_mcp_status search_once(app *a, const cred_snapshot *cred, const char *query,
                                   int client_fd, web_search_results *out, kiro_mcp_error *err)
{
    char base[512];
    config_upstream_base_url(a->cfg, cred->region, base, sizeof base);
    kiro_client_versions versions = config_client_versions(a->cfg);
    kiro_identity_lines lines;
    if (kiro_identity_api(&versions, cred->machine_id, &lines) != 0) {
        err->status = KIRO_MCP_NETWORK;
        snprintf(err->message, sizeof err->message, "no client identity for credential %d",
                 cred->id);
        return KIRO_MCP_NETWORK;
    }
    const char *const identity[] = {lines.amz_user_agent, lines.user_agent,
                                    "x-amzn-codewhisperer-optout: true", NULL};
    kiro_mcp_context ctx = {
        .base_url = base,
        .access_token = cred->access_token,
        .profile_arn = cred->profile_arn,
        .identity_headers = identity,
        .connect_timeout_ms = a->cfg->connect_timeout_ms,
        .timeout_ms = search_timeout_ms(a->cfg),
        .stopping = &a->stopping,
        .client_fd = client_fd,
    };
    return kiro_mcp_web_search(&ctx, query, out, err);
}

/* What a failed call means for the credential; 1 when another credential should be tried. */
static int report_failure(const upstream_ctx *up, cred_pool *pool, const cred_snapshot *cred,
                          const kiro_mcp_error *err)
{
    if (err->status != KIRO_MCP_HTTP)
        return 0;
    long status = err->http_status;
    int quota = status == 402 || strstr(err->message, "MONTHLY_REQUEST_COUNT") != NULL;
    if (quota || status == 401 || status == 403) {
        cred_pool_report(pool, cred->id, quota ? CRED_OUTCOME_QUOTA : CRED_OUTCOME_AUTH_FAILED,
                         err->message);
        if (!quota && up->refresher)
            token_refresher_poke(up->refresher);
        return 1;
    }
    if (status == 408 || status == 429 || status >= 500)
        cred_pool_report(pool, cred->id, CRED_OUTCOME_TRANSIENT, err->message);
    return 0;
}

int web_search_execute(app *a, const upstream_ctx *up, const char *query, int client_fd,
                       const char *request_id, web_search_results *out, web_search_failure *f)
{
    memset(out, 0, sizeof *out);
    memset(f, 0, sizeof f[0]);
    if (strlen(query) > WEB_SEARCH_MAX_QUERY_BYTES) {
        set_failure(f, "query_too_long", "the query is longer than the search accepts");
        return -1;
    }
    cred_choice choice;
    cred_choice_init(&choice, up);
    kiro_mcp_error err;
    memset(&err, 0, sizeof err);
    for (int attempt = 0; attempt < WEB_SEARCH_MAX_CREDENTIALS; attempt++) {
        cred_snapshot cred;
        cred_choice_result got = cred_choice_next(&choice, &cred);
        if (got == CRED_CHOICE_TRIED_ALL)
            break; /* every credential tried refused: the last error stands */
        if (got != CRED_CHOICE_OK) {
            f->no_credential = 1;
            set_failure(f, "unavailable", "no usable Kiro credential");
            return -1;
        }
        int64_t started = clock_monotonic_ms();
        f->searched = 1;
        kiro_mcp_status st = search_once(a, &cred, query, client_fd, out, &err);
        LOG_INFO("[WEB_SEARCH] id=%s cred=%d status=%d results=%zu ms=%lld%s%.200s", request_id,
                 cred.id, (int)st, out->count, (long long)(clock_monotonic_ms() - started),
                 st == KIRO_MCP_OK ? "" : " error=", st == KIRO_MCP_OK ? "" : err.message);
        if (st == KIRO_MCP_OK) {
            cred_pool_report(cred_choice_pool(&choice), cred.id, CRED_OUTCOME_OK, NULL);
            return 0;
        }
        if (st == KIRO_MCP_ABORTED) {
            f->client_gone = 1;
            set_failure(f, "unavailable", err.message);
            return -1;
        }
        if (!report_failure(up, cred_choice_pool(&choice), &cred, &err))
            break;
        cred_choice_exclude(&choice, cred.id);
    }
    int throttled = err.status == KIRO_MCP_HTTP && err.http_status == 429;
    set_failure(f, throttled ? "too_many_requests" : "unavailable", err.message);
    return -1;
}

/* ---- the route ---------------------------------------------------------------------------- */

int web_search_applies(const cJSON *request)
{
    return web_search_requested(request) != WEB_SEARCH_NOT_ASKED;
}

static int client_socket(request_ctx *rq)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    return ci ? (int)ci->connect_fd : -1;
}

/* The query as valid UTF-8 (the client's JSON may carry stray bytes); NULL when out of memory. */
static char *clean_query(const char *query)
{
    kbuf clean = KBUF_INIT(0);
    if (utf8_sanitize_append(&clean, query, strlen(query)) != KBUF_OK) {
        kbuf_free(&clean);
        return NULL;
    }
    return kbuf_detach(&clean, NULL);
}

static const char *client_model(const cJSON *request)
{
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(request, "model");
    return cJSON_IsString(model) ? model->valuestring : "";
}

enum MHD_Result web_search_answer(request_ctx *rq, const cJSON *request)
{
    if (web_search_requested(request) == WEB_SEARCH_WITH_OTHER_TOOLS)
        return web_search_loop_answer(rq, request);
    app *a = rq->app;
    api_error err;
    char *raw = web_search_query(request, &err);
    if (!raw) {
        LOG_INFO("[WEB_SEARCH] id=%s rejected: %s", rq->request_id, err.message);
        return respond_error(rq, &err);
    }
    char *query = clean_query(raw);
    free(raw);
    if (!query)
        return respond_error_msg(rq, 500, "api_error", "out of memory");
    LOG_DEBUG("[WEB_SEARCH] id=%s query=%.500s", rq->request_id, query);

    web_search_results results;
    web_search_failure failure;
    upstream_ctx up;
    app_upstream_for(a, rq, &up);
    int rc =
        web_search_execute(a, &up, query, client_socket(rq), rq->request_id, &results, &failure);
    if (rc != 0 && failure.client_gone) {
        free(query);
        return MHD_NO; /* nobody to answer */
    }
    if (rc != 0 && failure.no_credential) {
        free(query);
        api_error_set(&err, 503, "api_error",
                      "no usable Kiro credential for web_search: %zu loaded, none enabled with a "
                      "valid access token (see GET /api/admin/credentials)",
                      cred_pool_count(a->pool));
        return respond_error(rq, &err);
    }
    char tool_use_id[64];
    kiro_mcp_tool_use_id(tool_use_id, sizeof tool_use_id);
    web_search_outcome outcome = {
        .query = query,
        .tool_use_id = tool_use_id,
        .results = rc == 0 ? &results : NULL,
        .error_code = rc == 0 ? NULL : failure.error_code,
        .error_message = rc == 0 ? NULL : failure.message,
        .searched = failure.searched,
    };
    api_error estimate_err;
    long input_tokens = translate_estimate_input_tokens(request, &estimate_err);
    int stream = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(request, "stream"));
    web_search_render_options options = {
        .format = stream ? RW_ANTHROPIC_SSE : RW_ANTHROPIC_JSON,
        .model = client_model(request),
        .input_tokens = input_tokens > 0 ? input_tokens : 0,
    };
    kbuf out = KBUF_INIT(0);
    int rendered = web_search_render(&options, &outcome, &out);
    web_search_results_free(&results);
    free(query);
    if (rendered != 0) {
        kbuf_free(&out);
        return respond_error_msg(rq, 500, "api_error", "cannot render the web search answer");
    }
    enum MHD_Result r =
        respond_bytes(rq, 200, stream ? "text/event-stream; charset=utf-8" : "application/json",
                      out.data ? out.data : "", out.len);
    kbuf_free(&out);
    return r;
}
