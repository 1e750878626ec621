/* models.c: the model catalogue of fake-kiro; see models.h. */
#include "models.h"

#include <string.h>

#include "auth.h"
#include "http_reply.h"

typedef struct model {
    const char *id;
    const char *name;
    const char *description;
} model;

static const model builtin_models[] = {
    {"claude-sonnet-4.5", "Claude Sonnet 4.5", "The latest Claude Sonnet model"},
    {"claude-sonnet-4", "Claude Sonnet 4", "Hybrid reasoning and coding for regular use"},
    {"claude-haiku-4.5", "Claude Haiku 4.5", "Fast and cost-efficient"},
    {"claude-opus-4.5", "Claude Opus 4.5", "The most capable Claude Opus 4.5 model"},
    {"claude-opus-4.6", "Claude Opus 4.6", "The most capable Claude model"},
    {"claude-sonnet-4.6", "Claude Sonnet 4.6", "The newest Claude Sonnet model"},
    {FK_DEFAULT_MODEL, "Auto", "Picks the best model for each task"},
};

#define BUILTIN_COUNT (sizeof builtin_models / sizeof builtin_models[0])
#define MAX_INPUT_TOKENS 200000
#define MAX_OUTPUT_TOKENS 64000

int fk_models_known(fk_app *app, const char *id)
{
    if (!id)
        return 0;
    for (size_t i = 0; i < BUILTIN_COUNT; i++) {
        if (strcmp(builtin_models[i].id, id) == 0)
            return 1;
    }
    return fk_config_is_extra_model(&app->config, id);
}

static cJSON *model_json(const char *id, const char *name, const char *description)
{
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddStringToObject(obj, "modelId", id);
    cJSON_AddStringToObject(obj, "modelName", name);
    cJSON_AddStringToObject(obj, "description", description);
    cJSON *limits = cJSON_AddObjectToObject(obj, "tokenLimits");
    cJSON_AddNumberToObject(limits, "maxInputTokens", MAX_INPUT_TOKENS);
    if (!cJSON_AddNumberToObject(limits, "maxOutputTokens", MAX_OUTPUT_TOKENS)) {
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

static int add_model(cJSON *array, const char *id, const char *name, const char *description)
{
    cJSON *obj = model_json(id, name, description);
    if (!obj || !cJSON_AddItemToArray(array, obj)) {
        cJSON_Delete(obj);
        return -1;
    }
    return 0;
}

cJSON *fk_models_json(fk_app *app)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *models = cJSON_AddArrayToObject(root, "models");
    cJSON *extra = fk_config_extra_models_json(&app->config);
    int failed = !models || !extra;
    for (size_t i = 0; !failed && i < BUILTIN_COUNT; i++) {
        const model *m = &builtin_models[i];
        failed = add_model(models, m->id, m->name, m->description) != 0;
    }
    const cJSON *extra_ids = failed ? NULL : extra;
    const cJSON *id;
    cJSON_ArrayForEach(id, extra_ids) {
        if (add_model(models, id->valuestring, id->valuestring, "Extra model (fake-kiro)") != 0) {
            failed = 1;
            break;
        }
    }
    cJSON_Delete(extra);
    const model *fallback = &builtin_models[BUILTIN_COUNT - 1];
    cJSON *default_model = failed ? NULL : model_json(fallback->id, fallback->name,
                                                      fallback->description);
    if (!default_model || !cJSON_AddItemToObject(root, "defaultModel", default_model)) {
        cJSON_Delete(default_model);
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

enum MHD_Result fk_handle_models(fk_app *app, struct MHD_Connection *c, fk_request *req)
{
    enum MHD_Result result;
    if (!fk_auth_check(app, c, req, &result))
        return result;
    int hang;
    long status;
    fk_config_models_faults(&app->config, &hang, &status);
    if (hang) {
        fk_stats_hang_begin(&app->stats);
        fk_wait(&app->shutdown, req->client_fd, -1);
        fk_stats_hang_end(&app->stats);
        return MHD_NO;
    }
    if (status > 0)
        return fk_reply_aws_status(c, req, (int)status, 0);
    return fk_reply_cjson(c, req, 200, fk_models_json(app));
}
