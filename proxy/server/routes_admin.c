/* routes_admin.c: the admin API under /api/admin/ (admin key required, checked in auth.c).
 *
 * kiro-go's paths and shapes: user-credentials list/add/get/delete, user-credentials/stats,
 * reload-credentials; plus a credential pool view (tokens masked) and a forced refresh of one
 * credential. Only the forced refresh makes a network call, bounded by the refresh timeouts and
 * without any lock held; every other admin route answers from memory. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "creds/token_refresh.h"
#include "log/log.h"
#include "server/app.h"
#include "server/routes.h"

static enum MHD_Result respond_and_free(request_ctx *rq, int status, cJSON *item)
{
    enum MHD_Result r = respond_json(rq, status, item);
    cJSON_Delete(item);
    return r;
}

enum MHD_Result route_admin_users_list(request_ctx *rq)
{
    cJSON *list = user_store_list_json(rq->app->users);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "total", cJSON_GetArraySize(list));
    cJSON_AddItemToObject(root, "users", list);
    return respond_and_free(rq, 200, root);
}

enum MHD_Result route_admin_users_stats(request_ctx *rq)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "total_users", (double)user_store_count(rq->app->users));
    return respond_and_free(rq, 200, root);
}

enum MHD_Result route_admin_users_get(request_ctx *rq)
{
    cJSON *entry = user_store_get_json(rq->app->users, rq->path_param);
    if (!entry)
        return respond_error_msg(rq, 404, "not_found_error", "no user credentials with that activation code");
    return respond_and_free(rq, 200, entry);
}

enum MHD_Result route_admin_users_add(request_ctx *rq)
{
    api_error err;
    cJSON *body = request_json_object(rq, &err);
    if (!body)
        return respond_error(rq, &err);
    int status = 400;
    char msg[256];
    int rc = user_store_put(rq->app->users, body, &status, msg, sizeof msg);
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(body, "activation_code");
    if (rc != 0) {
        cJSON_Delete(body);
        LOG_WARN("[ADMIN] add user credentials refused: %s", msg);
        return respond_error_msg(rq, status, status >= 500 ? "api_error" : "invalid_request_error", msg);
    }
    LOG_INFO("[ADMIN] user credentials stored for activation code %.128s",
             cJSON_IsString(code) ? code->valuestring : "?");
    cJSON *entry = cJSON_IsString(code) ? user_store_get_json(rq->app->users, code->valuestring) : NULL;
    cJSON_Delete(body);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddBoolToObject(root, "success", 1);
    if (entry)
        cJSON_AddItemToObject(root, "user", entry);
    return respond_and_free(rq, 201, root);
}

enum MHD_Result route_admin_users_delete(request_ctx *rq)
{
    int rc = user_store_delete(rq->app->users, rq->path_param);
    if (rc == 1)
        return respond_error_msg(rq, 404, "not_found_error", "no user credentials with that activation code");
    if (rc != 0)
        return respond_error_msg(rq, 500, "api_error", "could not persist the user store; nothing was deleted");
    LOG_INFO("[ADMIN] user credentials deleted for activation code %.128s", rq->path_param);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddBoolToObject(root, "success", 1);
    return respond_and_free(rq, 200, root);
}

enum MHD_Result route_admin_reload(request_ctx *rq)
{
    char err[256];
    if (app_reload_credentials(rq->app, err, sizeof err) != 0)
        return respond_error_msg(rq, 500, "api_error", err);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddBoolToObject(root, "success", 1);
    cJSON_AddNumberToObject(root, "credentials", (double)cred_pool_count(rq->app->pool));
    cJSON_AddNumberToObject(root, "users", (double)user_store_count(rq->app->users));
    return respond_and_free(rq, 200, root);
}

enum MHD_Result route_admin_pool(request_ctx *rq)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *view = cred_pool_view_json(rq->app->pool);
    cJSON_AddNumberToObject(root, "total", cJSON_GetArraySize(view));
    cJSON_AddItemToObject(root, "credentials", view);
    return respond_and_free(rq, 200, root);
}

enum MHD_Result route_admin_refresh(request_ctx *rq)
{
    char *end;
    long id = strtol(rq->path_param, &end, 10);
    if (*end || id <= 0 || id > 1000000)
        return respond_error_msg(rq, 400, "invalid_request_error", "credential id must be a positive number");
    /* Checked first so that an unknown id is a 404, not a failed refresh (502). */
    credential probe;
    memset(&probe, 0, sizeof probe);
    if (cred_pool_copy(rq->app->pool, (int)id, &probe) != 0)
        return respond_error_msg(rq, 404, "not_found_error", "no credential with that id");
    credential_clear(&probe);
    char err[256];
    if (token_refresh_credential(&rq->app->refresh_cfg, rq->app->pool, (int)id, err, sizeof err) != 0) {
        LOG_WARN("[ADMIN] forced refresh of credential %ld failed: %s", id, err);
        return respond_error_msg(rq, 502, "api_error", err);
    }
    /* token_refresh_credential() has stored and saved the new tokens. */
    LOG_INFO("[ADMIN] credential %ld refreshed on request", id);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddBoolToObject(root, "success", 1);
    cJSON_AddNumberToObject(root, "id", (double)id);
    return respond_and_free(rq, 200, root);
}
