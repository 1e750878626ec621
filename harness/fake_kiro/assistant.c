/* assistant.c: the generateAssistantResponse handler; see assistant.h. */
#include "assistant.h"

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "http_reply.h"
#include "models.h"
#include "reply_plan.h"
#include "request_body.h"
#include "stream.h"
#include "validate.h"

/* MHD buffer for stream chunks; frames are small, so one frame rarely needs two calls. */
#define STREAM_BLOCK_BYTES (64u * 1024u)

/* Returns 1 when the body passes; otherwise queues the 400 and returns 0. */
static int check_request(fk_app *app, struct MHD_Connection *c, fk_request *req,
                         const cJSON *body, enum MHD_Result *result)
{
    char reason[FK_REASON_SIZE];
    if (req->body_total > FK_MAX_UPSTREAM_BODY) {
        snprintf(reason, sizeof reason, "body of %zu bytes exceeds %d", req->body_total,
                 FK_MAX_UPSTREAM_BODY);
        *result = fk_reply_improper(c, req, reason);
        return 0;
    }
    if (!body) {
        *result = fk_reply_improper(c, req, "body is not valid JSON");
        return 0;
    }
    if (fk_validate_request(body, req->body_total, reason, sizeof reason) != 0) {
        *result = fk_reply_improper(c, req, reason);
        return 0;
    }
    const char *model = fk_request_model_id(body);
    if (!fk_models_known(app, model)) {
        cJSON *error = cJSON_CreateObject();
        cJSON_AddStringToObject(error, "message", FK_INVALID_MODEL_MESSAGE);
        cJSON_AddStringToObject(error, "reason", "INVALID_MODEL_ID");
        *result = fk_reply_cjson(c, req, 400, error);
        return 0;
    }
    return 1;
}

/* Applies hang, delay and status. Returns 1 when a fault ended the request. */
static int request_fault(fk_app *app, struct MHD_Connection *c, fk_request *req,
                         const fk_assistant_settings *s, enum MHD_Result *result)
{
    if (!s->faulted)
        return 0;
    fk_stats_count_fault(&app->stats);
    if (s->hang) {
        fk_stats_hang_begin(&app->stats);
        fk_wait(&app->shutdown, req->client_fd, -1);
        fk_stats_hang_end(&app->stats);
        *result = MHD_NO;
        return 1;
    }
    if (s->delay_ms > 0 &&
        fk_wait(&app->shutdown, req->client_fd, s->delay_ms) != FK_WAIT_ELAPSED) {
        *result = MHD_NO;
        return 1;
    }
    if (s->status > 0 || s->quota) {
        *result = fk_reply_aws_status(c, req, s->status > 0 ? (int)s->status : 402, s->quota);
        return 1;
    }
    return 0;
}

static enum MHD_Result start_stream(fk_app *app, struct MHD_Connection *c, fk_request *req,
                                    const cJSON *body, const fk_assistant_settings *s)
{
    fk_reply reply;
    fk_reply_options options = {s->reply, (size_t)s->reply_bytes};
    if (fk_reply_build(&reply, body, &options) != 0)
        return fk_reply_message(c, req, 500, "fake-kiro: out of memory");
    fk_stream *stream = fk_stream_new(&reply, s, req->body_total, &app->shutdown, req->client_fd);
    if (!stream)
        return fk_reply_message(c, req, 500, "fake-kiro: out of memory");
    struct MHD_Response *response = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, STREAM_BLOCK_BYTES, fk_stream_read, stream, NULL);
    if (!response) {
        fk_stream_free(stream);
        return MHD_NO;
    }
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "application/vnd.amazon.eventstream");
    /* The request owns the stream from here; server.c frees it when MHD reports completion. */
    req->stream = stream;
    fk_stats_stream_begin(&app->stats);
    return fk_reply_queue(c, req, 200, response);
}

enum MHD_Result fk_handle_assistant(fk_app *app, struct MHD_Connection *c, fk_request *req)
{
    cJSON *body = fk_request_json(req);
    fk_request_record(&app->last_request, c, req, body);
    enum MHD_Result result;
    if (!fk_auth_check(app, c, req, &result) || !check_request(app, c, req, body, &result)) {
        fk_stats_count_rejected(&app->stats);
        cJSON_Delete(body);
        return result;
    }
    fk_assistant_settings settings;
    if (fk_config_take_assistant(&app->config, &settings) != 0) {
        cJSON_Delete(body);
        return fk_reply_message(c, req, 500, "fake-kiro: out of memory");
    }
    if (!request_fault(app, c, req, &settings, &result))
        result = start_stream(app, c, req, body, &settings);
    fk_assistant_settings_free(&settings);
    cJSON_Delete(body);
    return result;
}
