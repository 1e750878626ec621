/* routes_models.c: GET /v1/models and GET /v1/models/{id}, served from the in-memory catalogue
 * (a request never waits on the network; model_refresher.c updates the catalogue).
 * The list carries both Anthropic's fields (data[].type/id/display_name/created_at, has_more,
 * first_id, last_id), kiro-go's OpenAI-style ones (object, owned_by, created, max_tokens) and
 * what the upstream's ListAvailableModels says about each model under its own names
 * (description, rateMultiplier, rateUnit, tokenLimits{maxInputTokens,maxOutputTokens},
 * supportedInputTypes, promptCaching), null where the upstream has not described the model.
 * The list's text is kept until the catalogue changes: building it with cJSON was a third of
 * the proxy's time per /v1/models request (bench-throughput, REPORT.md section 4). A request
 * that finds it current (the catalogue's generation, one atomic load) takes a reference and
 * hands the text itself to libmicrohttpd: no copy of the catalogue, no copy of the text. */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "server/app.h"
#include "server/routes.h"
#include "util/clock.h"

static void add_string_or_null(cJSON *o, const char *name, const char *value)
{
    if (value[0])
        cJSON_AddStringToObject(o, name, value);
    else
        cJSON_AddNullToObject(o, name);
}

static void add_number_or_null(cJSON *o, const char *name, int known, double value)
{
    if (known)
        cJSON_AddNumberToObject(o, name, value);
    else
        cJSON_AddNullToObject(o, name);
}

/* The ListAvailableModels fields, under the upstream's names. */
static void add_upstream_fields(cJSON *o, const model_info *m)
{
    add_string_or_null(o, "description", m->description);
    add_number_or_null(o, "rateMultiplier", m->rate_multiplier >= 0, m->rate_multiplier);
    add_string_or_null(o, "rateUnit", m->rate_unit);
    cJSON *limits = cJSON_AddObjectToObject(o, "tokenLimits");
    add_number_or_null(limits, "maxInputTokens", m->max_input_tokens > 0,
                       (double)m->max_input_tokens);
    add_number_or_null(limits, "maxOutputTokens", m->output_limit_stated, m->max_tokens);
    if (m->input_type_count >= 0) {
        cJSON *types = cJSON_AddArrayToObject(o, "supportedInputTypes");
        for (int i = 0; i < m->input_type_count; i++)
            cJSON_AddItemToArray(types, cJSON_CreateString(m->input_types[i]));
    } else {
        cJSON_AddNullToObject(o, "supportedInputTypes");
    }
    cJSON *caching = m->prompt_caching[0] ? cJSON_Parse(m->prompt_caching) : NULL;
    if (caching)
        cJSON_AddItemToObject(o, "promptCaching", caching);
    else
        cJSON_AddNullToObject(o, "promptCaching");
}

static cJSON *model_json(const model_info *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", "model");
    cJSON_AddStringToObject(o, "id", m->id);
    cJSON_AddStringToObject(o, "display_name", m->display_name);
    cJSON_AddStringToObject(o, "created_at", m->created_at);
    cJSON_AddStringToObject(o, "object", "model");
    cJSON_AddStringToObject(o, "owned_by", "anthropic");
    time_t created = 0;
    clock_parse_rfc3339(m->created_at, &created);
    cJSON_AddNumberToObject(o, "created", (double)created);
    cJSON_AddNumberToObject(o, "max_tokens", m->max_tokens);
    add_upstream_fields(o, m);
    return o;
}

static cJSON *models_list_json(const model_info *models, size_t n)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "object", "list");
    cJSON *data = cJSON_AddArrayToObject(root, "data");
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(data, model_json(&models[i]));
    cJSON_AddBoolToObject(root, "has_more", 0);
    if (n) {
        cJSON_AddStringToObject(root, "first_id", models[0].id);
        cJSON_AddStringToObject(root, "last_id", models[n - 1].id);
    } else {
        cJSON_AddNullToObject(root, "first_id");
        cJSON_AddNullToObject(root, "last_id");
    }
    return root;
}

/* One rendering of the list, shared by the cache and the responses that send it; freed by
 * whoever drops the last reference. */
typedef struct list_text {
    _Atomic long refs;
    uint64_t generation; /* of the catalogue entries it was rendered from */
    size_t len;
    char text[];
} list_text;

/* The current rendering (one reference held by the cache), under list_lock. */
static pthread_mutex_t list_lock = PTHREAD_MUTEX_INITIALIZER;
static list_text *list_current;

static void list_text_release(void *arg)
{
    list_text *t = arg;
    if (t && atomic_fetch_sub(&t->refs, 1) == 1)
        free(t);
}

/* A rendering of the catalogue's entries as they are now, with one reference for the caller;
 * NULL when out of memory. */
static list_text *list_text_render(model_catalog *catalog)
{
    model_info *models = NULL;
    uint64_t generation = 0;
    size_t n = model_catalog_snapshot_generation(catalog, &models, &generation);
    cJSON *root = models_list_json(models, n);
    free(models);
    char *text = root ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (!text)
        return NULL;
    size_t len = strlen(text);
    list_text *t = malloc(sizeof *t + len + 1);
    if (t) {
        atomic_init(&t->refs, 1);
        t->generation = generation;
        t->len = len;
        memcpy(t->text, text, len + 1);
    }
    cJSON_free(text);
    return t;
}

/* The list's text for the catalogue's current entries, with one reference for the caller;
 * rendered only when the catalogue changed since the last rendering. */
static list_text *models_list_text(model_catalog *catalog)
{
    uint64_t generation = model_catalog_generation(catalog);
    pthread_mutex_lock(&list_lock);
    list_text *t = list_current;
    if (t && t->generation == generation)
        atomic_fetch_add(&t->refs, 1);
    else
        t = NULL;
    pthread_mutex_unlock(&list_lock);
    if (t)
        return t;
    t = list_text_render(catalog); /* outside the lock: cJSON work */
    if (!t)
        return NULL;
    atomic_fetch_add(&t->refs, 1); /* the cache's reference */
    pthread_mutex_lock(&list_lock);
    list_text *old = list_current;
    list_current = t;
    pthread_mutex_unlock(&list_lock);
    list_text_release(old);
    return t;
}

enum MHD_Result route_models_list(request_ctx *rq)
{
    list_text *t = models_list_text(rq->app->models);
    if (!t)
        return respond_error_msg(rq, 500, "api_error", "out of memory");
    return respond_shared_bytes(rq, 200, "application/json", t->text, t->len, list_text_release, t);
}

enum MHD_Result route_models_get(request_ctx *rq)
{
    model_info info;
    int thinking = 0;
    if (model_catalog_resolve_info(rq->app->models, rq->path_param, &info, &thinking) != 0) {
        api_error e;
        api_error_set(&e, 404, "not_found_error", "model %.100s not found", rq->path_param);
        return respond_error(rq, &e);
    }
    cJSON *o = model_json(&info);
    enum MHD_Result r = respond_json(rq, 200, o);
    cJSON_Delete(o);
    return r;
}
