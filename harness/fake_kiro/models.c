/* models.c: the model catalogue of fake-kiro; see models.h. */
#include "models.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "http_reply.h"

/* The fields the real ListAvailableModels answer carries per model. The rate multipliers are
 * fake-kiro's own (distinct per model so that a test can tell them apart); "auto" states no
 * output limit (null), as a model the service picks for the caller may. */
typedef struct model {
    const char *id;
    const char *name;
    const char *description;
    double rate_multiplier;
    long max_input_tokens;
    long max_output_tokens;   /* 0 = null */
} model;

static const model builtin_models[] = {
    {"claude-sonnet-4.5", "Claude Sonnet 4.5", "The latest Claude Sonnet model", 1.3, 200000,
     64000},
    {"claude-sonnet-4", "Claude Sonnet 4", "Hybrid reasoning and coding for regular use", 1.3,
     200000, 64000},
    {"claude-haiku-4.5", "Claude Haiku 4.5", "Fast and cost-efficient", 0.4, 200000, 64000},
    {"claude-opus-4.5", "Claude Opus 4.5", "The most capable Claude Opus 4.5 model", 2.2, 200000,
     32000},
    {"claude-opus-4.6", "Claude Opus 4.6", "The most capable Claude model", 2.2, 1000000, 32000},
    {"claude-sonnet-4.6", "Claude Sonnet 4.6", "The newest Claude Sonnet model", 1.3, 1000000,
     64000},
    {FK_DEFAULT_MODEL, "Auto", "Picks the best model for each task", 1.0, 200000, 0},
};

#define BUILTIN_COUNT (sizeof builtin_models / sizeof builtin_models[0])
#define EXTRA_MAX_INPUT_TOKENS 200000
#define EXTRA_MAX_OUTPUT_TOKENS 64000
#define NEXT_TOKEN_PREFIX "fk-models-"

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

static cJSON *model_json(const model *m)
{
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddStringToObject(obj, "modelId", m->id);
    cJSON_AddStringToObject(obj, "modelName", m->name);
    cJSON_AddStringToObject(obj, "description", m->description);
    cJSON_AddNumberToObject(obj, "rateMultiplier", m->rate_multiplier);
    cJSON_AddStringToObject(obj, "rateUnit", "Credit");
    static const char *const input_types[] = {"TEXT", "IMAGE"};
    cJSON_AddItemToObject(obj, "supportedInputTypes", cJSON_CreateStringArray(input_types, 2));
    cJSON *caching = cJSON_AddObjectToObject(obj, "promptCaching");
    cJSON_AddTrueToObject(caching, "supportsPromptCaching");
    cJSON *limits = cJSON_AddObjectToObject(obj, "tokenLimits");
    cJSON_AddNumberToObject(limits, "maxInputTokens", (double)m->max_input_tokens);
    cJSON *max_out = m->max_output_tokens > 0
                         ? cJSON_AddNumberToObject(limits, "maxOutputTokens",
                                                   (double)m->max_output_tokens)
                         : cJSON_AddNullToObject(limits, "maxOutputTokens");
    if (!max_out) {
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

static int add_model(cJSON *array, const model *m)
{
    cJSON *obj = model_json(m);
    if (!obj || !cJSON_AddItemToArray(array, obj)) {
        cJSON_Delete(obj);
        return -1;
    }
    return 0;
}

/* The model at position index of the whole list (built-ins, then extras); 0 past the end. */
static int model_at(const cJSON *extra, size_t index, model *out)
{
    if (index < BUILTIN_COUNT) {
        *out = builtin_models[index];
        return 1;
    }
    const cJSON *id = cJSON_GetArrayItem(extra, (int)(index - BUILTIN_COUNT));
    if (!cJSON_IsString(id))
        return 0;
    *out = (model){id->valuestring, id->valuestring, "Extra model (fake-kiro)", 1.0,
                   EXTRA_MAX_INPUT_TOKENS, EXTRA_MAX_OUTPUT_TOKENS};
    return 1;
}

int fk_models_parse_next_token(const char *token, size_t *offset)
{
    *offset = 0;
    if (!token)
        return 0;
    size_t prefix = strlen(NEXT_TOKEN_PREFIX);
    if (strncmp(token, NEXT_TOKEN_PREFIX, prefix) != 0 || !token[prefix])
        return -1;
    char *end = NULL;
    unsigned long n = strtoul(token + prefix, &end, 10);
    if (*end != '\0' || n == 0 || n > 100000)
        return -1;
    *offset = n;
    return 0;
}

cJSON *fk_models_page_json(fk_app *app, size_t offset, size_t page_size)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *models = cJSON_AddArrayToObject(root, "models");
    cJSON *extra = fk_config_extra_models_json(&app->config);
    int failed = !models || !extra;
    size_t total = BUILTIN_COUNT + (size_t)cJSON_GetArraySize(extra);
    size_t end = page_size == 0 || offset + page_size > total ? total : offset + page_size;
    for (size_t i = offset; !failed && i < end; i++) {
        model m;
        failed = !model_at(extra, i, &m) || add_model(models, &m) != 0;
    }
    cJSON_Delete(extra);
    cJSON *default_model = failed ? NULL : model_json(&builtin_models[BUILTIN_COUNT - 1]);
    if (!default_model || !cJSON_AddItemToObject(root, "defaultModel", default_model)) {
        cJSON_Delete(default_model);
        cJSON_Delete(root);
        return NULL;
    }
    if (end < total) {
        char token[48];
        snprintf(token, sizeof token, NEXT_TOKEN_PREFIX "%zu", end);
        if (!cJSON_AddStringToObject(root, "nextToken", token)) {
            cJSON_Delete(root);
            return NULL;
        }
    }
    return root;
}

cJSON *fk_models_json(fk_app *app)
{
    return fk_models_page_json(app, 0, 0);
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
    size_t offset;
    const char *token = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "nextToken");
    if (fk_models_parse_next_token(token, &offset) != 0)
        return fk_reply_aws(c, req, 400, "ValidationException", "Invalid nextToken");
    long page_size = fk_config_models_page_size(&app->config);
    cJSON *page = fk_models_page_json(app, offset, page_size > 0 ? (size_t)page_size : 0);
    if (page && !cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(page, "models"))) {
        cJSON_Delete(page);   /* a token past the end */
        return fk_reply_aws(c, req, 400, "ValidationException", "Invalid nextToken");
    }
    return fk_reply_cjson(c, req, 200, page);
}
