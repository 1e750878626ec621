/* routes_messages.c: POST /v1/messages (Anthropic Messages API through Kiro; web_search-only
 * requests through Kiro's MCP endpoint, see web_search.h) and POST /v1/messages/count_tokens.
 *
 * Logs what kiro-go logged for this route: [KIRO_PRE] (the client request), [RAW_KIRO_REQUEST]
 * (the translated upstream body) and, from the relay, [KIRO_POST] (the upstream result): full
 * content at debug level, summaries at info. These are the large lines that filled the pipe. */
#include <cjson/cJSON.h>
#include <string.h>

#include "log/log.h"
#include "server/app.h"
#include "server/messages.h"
#include "server/relay.h"
#include "server/routes.h"
#include "server/web_search.h"
#include "translate/translate.h"

#define LOG_BODY_CAP (1024 * 1024)

static int body_log_len(size_t len)
{
    return (int)(len < LOG_BODY_CAP ? len : LOG_BODY_CAP);
}

enum MHD_Result messages_translate_and_relay(request_ctx *rq, const cJSON *anthropic_request,
                                             rw_format stream_format, rw_format json_format)
{
    app *a = rq->app;
    translate_options opts = {.catalog = a->models};
    kiro_request kr;
    api_error err;
    if (translate_anthropic_request(anthropic_request, &opts, &kr, &err) != 0) {
        LOG_INFO("[KIRO_PRE] id=%s rejected: %d %s", rq->request_id, err.status, err.message);
        return respond_error(rq, &err);
    }
    if (log_enabled(LOG_LEVEL_DEBUG))
        LOG_DEBUG("[RAW_KIRO_REQUEST] id=%s model=%s body=%.*s", rq->request_id, kr.model_id,
                  body_log_len(kr.body_len), kr.body);
    else
        LOG_INFO("[RAW_KIRO_REQUEST] id=%s model=%s thinking=%d tools=%d bytes=%zu", rq->request_id,
                 kr.model_id, kr.thinking, kr.tool_count, kr.body_len);
    return relay_handle(rq, &kr, kr.stream ? stream_format : json_format);
}

void messages_log_client_request(request_ctx *rq, const cJSON *req, const char *api)
{
    if (log_enabled(LOG_LEVEL_DEBUG)) {
        LOG_DEBUG("[KIRO_PRE] id=%s api=%s body=%.*s", rq->request_id, api,
                  body_log_len(rq->body.len), rq->body.data);
        return;
    }
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(req, "model");
    const cJSON *messages = cJSON_GetObjectItemCaseSensitive(req, "messages");
    const cJSON *tools = cJSON_GetObjectItemCaseSensitive(req, "tools");
    LOG_INFO("[KIRO_PRE] id=%s api=%s model=%.100s stream=%d messages=%d tools=%d bytes=%zu",
             rq->request_id, api, cJSON_IsString(model) ? model->valuestring : "-",
             cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "stream")),
             cJSON_IsArray(messages) ? cJSON_GetArraySize(messages) : -1,
             cJSON_IsArray(tools) ? cJSON_GetArraySize(tools) : 0, rq->body.len);
}

enum MHD_Result route_messages(request_ctx *rq)
{
    api_error err;
    cJSON *req = request_json_object(rq, &err);
    if (!req) {
        LOG_INFO("[KIRO_PRE] id=%s rejected: %s", rq->request_id, err.message);
        return respond_error(rq, &err);
    }
    messages_log_client_request(rq, req, "anthropic");
    enum MHD_Result r =
        web_search_applies(req)
            ? web_search_answer(rq, req) /* Kiro's MCP endpoint, not a turn */
            : messages_translate_and_relay(rq, req, RW_ANTHROPIC_SSE, RW_ANTHROPIC_JSON);
    cJSON_Delete(req);
    return r;
}

enum MHD_Result route_count_tokens(request_ctx *rq)
{
    api_error err;
    cJSON *req = request_json_object(rq, &err);
    if (!req)
        return respond_error(rq, &err);
    long n = translate_estimate_input_tokens(req, &err);
    cJSON_Delete(req);
    if (n < 0)
        return respond_error(rq, &err);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddNumberToObject(out, "input_tokens", (double)n);
    enum MHD_Result r = respond_json(rq, 200, out);
    cJSON_Delete(out);
    return r;
}
