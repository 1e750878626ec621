/* routes_admin.c: the admin API under /api/admin/ (admin key required, checked in auth.c;
 * reload-credentials also from a loopback caller without one).
 *
 * kiro-go's paths, status codes and shapes, which the desktop launcher and kiro-go users'
 * scripts depend on: user-credentials list (a bare array), add (200 {success, message}), get,
 * delete (200 even when absent), stats ({total_users}), set-expiry, batch-set-expiry and
 * reload-credentials; extra fields are added where they help. Plus a credential pool view
 * (tokens masked) and a forced refresh of one credential. Only the forced refresh makes a network
 * call, bounded by the refresh timeouts and without any lock held; every other admin route answers
 * from memory. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/rules.h"
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

/* kiro-go's list: a bare array (the launcher and kiro-go users' scripts read it so). */
enum MHD_Result route_admin_users_list(request_ctx *rq)
{
    cJSON *list = user_store_list_json(rq->app->users);
    if (!list)
        return respond_error_msg(rq, 500, "api_error", "out of memory");
    return respond_and_free(rq, 200, list);
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
        return respond_error_msg(rq, 404, "not_found_error",
                                 "no user credentials with that activation code");
    return respond_and_free(rq, 200, entry);
}

/* {"success": true, "message": what + subject} plus what the caller adds: kiro-go's answer
 * shape. */
static cJSON *success(const char *what, const char *subject)
{
    char message[300];
    snprintf(message, sizeof message, "%s%.128s", what, subject);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddBoolToObject(root, "success", 1);
    cJSON_AddStringToObject(root, "message", message);
    return root;
}

/* kiro-go answers 200 (the launcher treats anything else as a failure). */
enum MHD_Result route_admin_users_add(request_ctx *rq)
{
    api_error err;
    cJSON *body = request_json_object(rq, &err);
    if (!body)
        return respond_error(rq, &err);
    int status = 400;
    char msg[512];
    int rc = user_store_put(rq->app->users, body, &status, msg, sizeof msg);
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(body, "activation_code");
    if (rc != 0) {
        cJSON_Delete(body);
        LOG_WARN("[ADMIN] add user credentials refused: %s", msg);
        return respond_error_msg(rq, status, status >= 500 ? "api_error" : "invalid_request_error",
                                 msg);
    }
    const char *text = cJSON_IsString(code) ? code->valuestring : "?";
    LOG_INFO("[ADMIN] user credentials stored for activation code %.128s", text);
    app_users_changed(rq->app);
    cJSON *root = success("credentials saved: ", text);
    cJSON *entry = user_store_get_json(rq->app->users, text);
    if (entry)
        cJSON_AddItemToObject(root, "user", entry);
    cJSON_Delete(body);
    return respond_and_free(rq, 200, root);
}

/* kiro-go answers 200 whether or not the code was there. */
enum MHD_Result route_admin_users_delete(request_ctx *rq)
{
    char err[512];
    int rc = user_store_delete(rq->app->users, rq->path_param, err, sizeof err);
    if (rc < 0)
        return respond_error_msg(rq, 500, "api_error", err);
    if (rc == 0) {
        LOG_INFO("[ADMIN] user credentials deleted for activation code %.128s", rq->path_param);
        app_users_changed(rq->app);
    }
    cJSON *root = success("credentials deleted: ", rq->path_param);
    cJSON_AddBoolToObject(root, "deleted", rc == 0);
    return respond_and_free(rq, 200, root);
}

/* "days" of a set-expiry body: a whole number; > 0 days from today, 0 now, < 0 never. */
static int expiry_days(const cJSON *body, int *days, api_error *err)
{
    long long value;
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(body, "days");
    if (rule_json_whole_number(item, -1000000, 36500, &value) != 0) {
        api_error_set(err, 400, "invalid_request_error",
                      "days must be a whole number up to 36500 (0 expires now, < 0 never "
                      "expires)");
        return -1;
    }
    *days = (int)value;
    return 0;
}

static enum MHD_Result answer_expiry(request_ctx *rq, const char *const *codes, size_t n, int days,
                                     int single)
{
    char date[16], err[512];
    int updated =
        user_store_set_expiry(rq->app->users, codes, n, days, date, sizeof date, err, sizeof err);
    if (updated < 0)
        return respond_error_msg(rq, 500, "api_error", err);
    if (single && updated == 0)
        return respond_error_msg(rq, 404, "not_found_error",
                                 "no user credentials with that activation code");
    LOG_INFO("[ADMIN] expiry set for %d activation code(s): %s", updated, date[0] ? date : "none");
    char count[48];
    snprintf(count, sizeof count, "%d activation code(s)", updated);
    cJSON *root = success("expiry updated for ", count);
    cJSON_AddNumberToObject(root, "updated", updated);
    cJSON_AddStringToObject(root, "expires_date", date);
    /* No pool rebuild: expiry is checked at each request (user_store_check), and a rebuild
     * would forget the users' runtime state (a quota disable). */
    return respond_and_free(rq, 200, root);
}

/* The body of a set-expiry request with its days; NULL with err (the body is freed). */
static cJSON *expiry_request(request_ctx *rq, int *days, api_error *err)
{
    cJSON *body = request_json_object(rq, err);
    if (body && expiry_days(body, days, err) != 0) {
        cJSON_Delete(body);
        body = NULL;
    }
    return body;
}

enum MHD_Result route_admin_users_set_expiry(request_ctx *rq)
{
    api_error err;
    int days;
    cJSON *body = expiry_request(rq, &days, &err);
    if (!body)
        return respond_error(rq, &err);
    cJSON_Delete(body);
    const char *code = rq->path_param;
    return answer_expiry(rq, &code, 1, days, 1);
}

#define BATCH_MAX_CODES 10000

enum MHD_Result route_admin_users_batch_expiry(request_ctx *rq)
{
    api_error err;
    int days;
    cJSON *body = expiry_request(rq, &days, &err);
    if (!body)
        return respond_error(rq, &err);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(body, "activation_codes");
    int n = cJSON_GetArraySize(list);
    if (!cJSON_IsArray(list) || n == 0 || n > BATCH_MAX_CODES) {
        cJSON_Delete(body);
        return respond_error_msg(rq, 400, "invalid_request_error",
                                 "activation_codes must be a non-empty array of strings");
    }
    const char **codes = calloc((size_t)n, sizeof *codes);
    size_t k = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, list)
    {
        if (!codes || !cJSON_IsString(item)) {
            free(codes);
            cJSON_Delete(body);
            return respond_error_msg(rq, codes ? 400 : 500,
                                     codes ? "invalid_request_error" : "api_error",
                                     codes ? "activation_codes must be strings" : "out of memory");
        }
        codes[k++] = item->valuestring;
    }
    enum MHD_Result r = answer_expiry(rq, codes, k, days, 0);
    free(codes);
    cJSON_Delete(body);
    return r;
}

/* The launcher calls this after switching accounts, without a key (auth.c lets a loopback
 * caller in): it re-reads only the operator's files and answers counts, nothing secret. */
enum MHD_Result route_admin_reload(request_ctx *rq)
{
    char err[512], note[512];
    if (app_reload_credentials(rq->app, err, sizeof err, note, sizeof note) != 0)
        return respond_error_msg(rq, 500, "api_error", err);
    char count[48];
    snprintf(count, sizeof count, "%zu credential(s)", cred_pool_count(rq->app->pool));
    cJSON *root = success("credentials reloaded: ", count);
    cJSON_AddNumberToObject(root, "credentials", (double)cred_pool_count(rq->app->pool));
    cJSON_AddNumberToObject(root, "users", (double)user_store_count(rq->app->users));
    if (note[0])
        cJSON_AddStringToObject(root, "warning", note);
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
        return respond_error_msg(rq, 400, "invalid_request_error",
                                 "credential id must be a positive number");
    /* Checked first so that an unknown id is a 404, not a failed refresh (502). */
    credential probe;
    memset(&probe, 0, sizeof probe);
    if (cred_pool_copy(rq->app->pool, (int)id, &probe) != 0)
        return respond_error_msg(rq, 404, "not_found_error", "no credential with that id");
    credential_clear(&probe);
    char err[256];
    if (token_refresh_credential(&rq->app->refresh_cfg, rq->app->pool, (int)id, err, sizeof err) !=
        0) {
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
