/* tokens.c: social and IdC token refresh emulation; see tokens.h. */
#include "tokens.h"

#include <stdio.h>
#include <string.h>

#include "http_reply.h"

/* Applies --refresh-hang / --refresh-status. Returns 1 when a fault answered the request. */
static int refresh_fault(fk_app *app, struct MHD_Connection *c, fk_request *req, int oidc,
                         enum MHD_Result *result)
{
    int hang;
    long status;
    fk_config_refresh_faults(&app->config, &hang, &status);
    if (hang) {
        fk_stats_hang_begin(&app->stats);
        fk_wait(&app->shutdown, req->client_fd, -1);
        fk_stats_hang_end(&app->stats);
        *result = MHD_NO;
        return 1;
    }
    if (status <= 0)
        return 0;
    if (!oidc) {
        *result = fk_reply_aws_status(c, req, (int)status, 0);
        return 1;
    }
    const char *code = status == 401 ? "invalid_client"
                       : status == 429 ? "slow_down"
                       : status >= 500 ? "server_error"
                                       : "invalid_request";
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "error", code);
    cJSON_AddStringToObject(body, "error_description", "fake-kiro injected fault");
    *result = fk_reply_cjson(c, req, (int)status, body);
    return 1;
}

/* The body as a JSON object, or NULL (bad JSON, not an object, too large). Caller deletes. */
static cJSON *parse_body(const fk_request *req)
{
    if (fk_request_body_dropped(req) || !req->body.data)
        return NULL;
    cJSON *root = cJSON_ParseWithLength(req->body.data, req->body.len);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

static const char *string_field(const cJSON *obj, const char *key)
{
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(value) && value->valuestring[0] ? value->valuestring : NULL;
}

static cJSON *issue_tokens(fk_app *app)
{
    long n = atomic_fetch_add(&app->tokens_issued, 1) + 1;
    char access[48], refresh[48];
    snprintf(access, sizeof access, "fake-access-%ld", n);
    snprintf(refresh, sizeof refresh, "fake-refresh-%ld", n);
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddStringToObject(obj, "accessToken", access);
    cJSON_AddStringToObject(obj, "refreshToken", refresh);
    return obj;
}

enum MHD_Result fk_handle_refresh_token(fk_app *app, struct MHD_Connection *c, fk_request *req)
{
    enum MHD_Result result;
    if (refresh_fault(app, c, req, 0, &result))
        return result;
    cJSON *body = parse_body(req);
    const char *refresh = string_field(body, "refreshToken");
    if (!refresh) {
        cJSON_Delete(body);
        return fk_reply_aws(c, req, 400, "ValidationException", "refreshToken is required");
    }
    int dead = fk_config_refresh_token_dead(&app->config, refresh);
    cJSON_Delete(body);
    if (dead)
        return fk_reply_aws(c, req, 401, "UnauthorizedException", "Invalid refresh token");
    cJSON *reply = issue_tokens(app);
    cJSON_AddStringToObject(reply, "profileArn", FK_FAKE_PROFILE_ARN);
    cJSON_AddNumberToObject(reply, "expiresIn", (double)fk_config_expires_in(&app->config));
    return fk_reply_cjson(c, req, 200, reply);
}

static enum MHD_Result oidc_error(struct MHD_Connection *c, fk_request *req, const char *code,
                                  const char *description)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "error", code);
    cJSON_AddStringToObject(body, "error_description", description);
    return fk_reply_cjson(c, req, 400, body);
}

enum MHD_Result fk_handle_oidc_token(fk_app *app, struct MHD_Connection *c, fk_request *req)
{
    enum MHD_Result result;
    if (refresh_fault(app, c, req, 1, &result))
        return result;
    cJSON *body = parse_body(req);
    const char *refresh = string_field(body, "refreshToken");
    const char *grant = string_field(body, "grantType");
    if (!string_field(body, "clientId") || !string_field(body, "clientSecret") || !refresh ||
        !grant) {
        cJSON_Delete(body);
        return oidc_error(c, req, "invalid_request",
                          "clientId, clientSecret, refreshToken and grantType are required");
    }
    int wrong_grant = strcmp(grant, "refresh_token") != 0;
    int dead = fk_config_refresh_token_dead(&app->config, refresh);
    cJSON_Delete(body);
    if (wrong_grant)
        return oidc_error(c, req, "unsupported_grant_type", "grantType must be refresh_token");
    if (dead)
        return oidc_error(c, req, "invalid_grant", "Invalid refresh token");
    cJSON *reply = issue_tokens(app);
    cJSON_AddNumberToObject(reply, "expiresIn", (double)fk_config_expires_in(&app->config));
    cJSON_AddStringToObject(reply, "tokenType", "Bearer");
    return fk_reply_cjson(c, req, 200, reply);
}
