/* introspect.c: the test-facing /__fake/ endpoints; see introspect.h. */
#include "introspect.h"

#include <stdlib.h>
#include <string.h>

#include "http_reply.h"

enum MHD_Result fk_handle_fake_stats(fk_app *app, struct MHD_Connection *c, fk_request *req)
{
    return fk_reply_cjson(c, req, 200, fk_stats_to_json(&app->stats));
}

enum MHD_Result fk_handle_fake_faults(fk_app *app, struct MHD_Connection *c, fk_request *req)
{
    if (strcmp(req->method, "POST") == 0) {
        if (fk_request_body_dropped(req))
            return fk_reply_message(c, req, 413, "body too large");
        cJSON *patch = req->body.data ? cJSON_ParseWithLength(req->body.data, req->body.len)
                                      : NULL;
        if (!patch)
            return fk_reply_message(c, req, 400, "body is not valid JSON");
        char err[256];
        int rc = fk_config_apply_json(&app->config, patch, err, sizeof err);
        cJSON_Delete(patch);
        if (rc != 0)
            return fk_reply_message(c, req, 400, err);
    }
    return fk_reply_cjson(c, req, 200, fk_config_to_json(&app->config));
}

enum MHD_Result fk_handle_fake_reset(fk_app *app, struct MHD_Connection *c, fk_request *req)
{
    if (fk_config_reset(&app->config) != 0)
        return fk_reply_message(c, req, 500, "out of memory");
    fk_stats_reset(&app->stats);
    fk_last_request_clear(&app->last_request);
    fk_last_request_clear(&app->last_mcp_request);
    fk_identity_log_reset(&app->identity_log);
    return fk_reply_json(c, req, 200, "{\"reset\":true}");
}

enum MHD_Result fk_handle_fake_last_request(fk_app *app, struct MHD_Connection *c,
                                            fk_request *req)
{
    char *json = fk_last_request_copy(&app->last_request);
    if (!json)
        return fk_reply_message(c, req, 404, "no generateAssistantResponse request yet");
    enum MHD_Result rc = fk_reply_json(c, req, 200, json);
    free(json);
    return rc;
}

enum MHD_Result fk_handle_fake_last_mcp_request(fk_app *app, struct MHD_Connection *c,
                                                fk_request *req)
{
    char *json = fk_last_request_copy(&app->last_mcp_request);
    if (!json)
        return fk_reply_message(c, req, 404, "no MCP request yet");
    enum MHD_Result rc = fk_reply_json(c, req, 200, json);
    free(json);
    return rc;
}

enum MHD_Result fk_handle_fake_last_identity(fk_app *app, struct MHD_Connection *c,
                                             fk_request *req)
{
    cJSON *seen = fk_identity_log_to_json(&app->identity_log);
    if (!seen)
        return fk_reply_message(c, req, 500, "fake-kiro: out of memory");
    return fk_reply_cjson(c, req, 200, seen);
}
