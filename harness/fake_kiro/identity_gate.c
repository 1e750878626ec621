/* identity_gate.c: the identity check of the Kiro endpoints and its record; see
 * identity_gate.h. */
#include "identity_gate.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "http_reply.h"

#define DENIED_TYPE "AccessDeniedException"

void fk_identity_log_init(fk_identity_log *log)
{
    memset(log->last, 0, sizeof log->last);
    pthread_mutex_init(&log->lock, NULL);
}

void fk_identity_log_destroy(fk_identity_log *log)
{
    pthread_mutex_destroy(&log->lock);
}

void fk_identity_log_reset(fk_identity_log *log)
{
    pthread_mutex_lock(&log->lock);
    memset(log->last, 0, sizeof log->last);
    pthread_mutex_unlock(&log->lock);
}

void fk_identity_log_store(fk_identity_log *log, fk_endpoint endpoint, const char *amz,
                           const char *agent, const char *problem)
{
    if ((int)endpoint < 0 || endpoint >= FK_EP_COUNT)
        return;
    fk_identity_seen seen;
    memset(&seen, 0, sizeof seen);
    seen.seen = 1;
    seen.accepted = problem == NULL;
    seen.problem = problem;
    seen.has_amz = amz != NULL;
    seen.has_agent = agent != NULL;
    snprintf(seen.amz_user_agent, sizeof seen.amz_user_agent, "%.*s", FK_IDENTITY_VALUE_MAX,
             amz ? amz : "");
    snprintf(seen.user_agent, sizeof seen.user_agent, "%.*s", FK_IDENTITY_VALUE_MAX,
             agent ? agent : "");
    pthread_mutex_lock(&log->lock);
    log->last[endpoint] = seen;
    pthread_mutex_unlock(&log->lock);
}

static cJSON *text_or_null(int present, const char *text)
{
    return present ? cJSON_CreateString(text) : cJSON_CreateNull();
}

static cJSON *seen_json(const fk_identity_seen *s)
{
    cJSON *obj = cJSON_CreateObject();
    if (!obj)
        return NULL;
    int ok = cJSON_AddItemToObject(obj, "x-amz-user-agent",
                                   text_or_null(s->has_amz, s->amz_user_agent)) &&
             cJSON_AddItemToObject(obj, "user-agent", text_or_null(s->has_agent, s->user_agent)) &&
             cJSON_AddBoolToObject(obj, "accepted", s->accepted) &&
             cJSON_AddItemToObject(obj, "problem",
                                   text_or_null(s->problem != NULL, s->problem ? s->problem : ""));
    if (!ok) {
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

cJSON *fk_identity_log_to_json(fk_identity_log *log)
{
    fk_identity_seen copy[FK_EP_COUNT];
    pthread_mutex_lock(&log->lock);
    memcpy(copy, log->last, sizeof copy);
    pthread_mutex_unlock(&log->lock);
    cJSON *root = cJSON_CreateObject();
    for (int i = 0; root && i < FK_EP_COUNT; i++) {
        if (!copy[i].seen)
            continue;
        cJSON *one = seen_json(&copy[i]);
        if (!one || !cJSON_AddItemToObject(root, fk_endpoint_name((fk_endpoint)i), one)) {
            cJSON_Delete(one);
            cJSON_Delete(root);
            return NULL;
        }
    }
    return root;
}

/* 403 in the shape of the service behind the endpoint. */
static enum MHD_Result deny(struct MHD_Connection *c, fk_request *req, fk_identity_kind kind,
                            const char *problem)
{
    char message[256];
    snprintf(message, sizeof message,
             "Access denied: the request does not come from a supported Kiro client (%s).",
             problem);
    cJSON *body = cJSON_CreateObject();
    int ok;
    if (kind == FK_IDENTITY_IDC_REFRESH)
        ok = cJSON_AddStringToObject(body, "error", "access_denied") &&
             cJSON_AddStringToObject(body, "error_description", message);
    else
        ok = cJSON_AddStringToObject(body, "__type", DENIED_TYPE) &&
             cJSON_AddStringToObject(body, "message", message);
    if (!ok) {
        cJSON_Delete(body);
        return fk_reply_message(c, req, 500, "fake-kiro: out of memory");
    }
    return fk_reply_typed(c, req, 403, DENIED_TYPE, body, problem);
}

int fk_identity_gate(struct fk_app *app, struct MHD_Connection *c, fk_request *req,
                     enum MHD_Result *result)
{
    fk_identity_kind kind = fk_identity_kind_of(req->endpoint);
    if (kind == FK_IDENTITY_NONE)
        return 1;
    const char *amz = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "x-amz-user-agent");
    const char *agent = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_USER_AGENT);
    const char *problem = fk_identity_problem(kind, amz, agent);
    fk_identity_log_store(&app->identity_log, req->endpoint, amz, agent, problem);
    if (!problem)
        return 1;
    fk_stats_count_identity_rejected(&app->stats);
    *result = deny(c, req, kind, problem);
    return 0;
}
