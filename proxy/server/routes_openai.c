/* routes_openai.c: POST /v1/chat/completions: the OpenAI chat API, translated to an Anthropic
 * request and then through the same path as /v1/messages, answered in OpenAI's shapes. */
#include <cjson/cJSON.h>

#include "log/log.h"
#include "server/messages.h"
#include "server/routes.h"
#include "translate/translate.h"

enum MHD_Result route_chat_completions(request_ctx *rq)
{
    api_error err;
    cJSON *req = request_json_object(rq, &err);
    if (!req) {
        LOG_INFO("[KIRO_PRE] id=%s rejected: %s", rq->request_id, err.message);
        return respond_error(rq, &err);
    }
    messages_log_client_request(rq, req, "openai");
    cJSON *anthropic = translate_openai_to_anthropic(req, &err);
    cJSON_Delete(req);
    if (!anthropic) {
        LOG_INFO("[KIRO_PRE] id=%s rejected: %d %s", rq->request_id, err.status, err.message);
        return respond_error(rq, &err);
    }
    enum MHD_Result r = messages_translate_and_relay(rq, anthropic, RW_OPENAI_SSE, RW_OPENAI_JSON);
    cJSON_Delete(anthropic);
    return r;
}
