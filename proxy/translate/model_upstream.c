/* model_upstream.c: parsing of the upstream ListAvailableModels answer (one page or several
 * joined by nextToken) into catalogue entries.
 *
 * The upstream list is trusted only as data: malformed entries are skipped, strings are
 * bounded by the entry fields (cut at a character boundary), numbers by sane ranges, and the
 * list is cut at MODEL_CATALOG_MAX, the paging at MODEL_PAGES_MAX pages. Known ids keep their
 * default creation date so that /v1/models stays stable across refreshes. */
#include "translate/model_catalog.h"
#include "translate/model_defaults.h"
#include "util/utf8.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define UPSTREAM_MAX_OUTPUT_TOKENS 1000000
#define UPSTREAM_MAX_INPUT_TOKENS 100000000

/* "claude-sonnet-4.5" -> "Claude Sonnet 4.5": hyphens become spaces, words are capitalised. */
static void display_name_from_id(const char *id, char *out, size_t out_size)
{
    size_t n = 0;
    int word_start = 1;
    for (const char *p = id; *p && n + 1 < out_size; p++) {
        char ch = *p;
        if (ch == '-' || ch == '_') {
            out[n++] = ' ';
            word_start = 1;
            continue;
        }
        out[n++] = word_start ? (char)toupper((unsigned char)ch) : ch;
        word_start = 0;
    }
    out[n] = '\0';
}

/* tokenLimits.maxOutputTokens when it is a sane number (stated), else the known default. */
static long output_limit(const cJSON *entry, const model_info *known, int *stated)
{
    const cJSON *limits = cJSON_GetObjectItemCaseSensitive(entry, "tokenLimits");
    const cJSON *max_out = cJSON_GetObjectItemCaseSensitive(limits, "maxOutputTokens");
    *stated = 0;
    if (cJSON_IsNumber(max_out) && max_out->valuedouble >= 1 &&
        max_out->valuedouble <= UPSTREAM_MAX_OUTPUT_TOKENS) {
        *stated = 1;
        return (long)max_out->valuedouble;
    }
    return known ? known->max_tokens : MODEL_FALLBACK_MAX_TOKENS;
}

static long input_limit(const cJSON *entry, const model_info *known)
{
    const cJSON *limits = cJSON_GetObjectItemCaseSensitive(entry, "tokenLimits");
    const cJSON *max_in = cJSON_GetObjectItemCaseSensitive(limits, "maxInputTokens");
    if (cJSON_IsNumber(max_in) && max_in->valuedouble >= 1 &&
        max_in->valuedouble <= UPSTREAM_MAX_INPUT_TOKENS)
        return (long)max_in->valuedouble;
    return known ? known->max_input_tokens : 0;
}

/* Copies text into out (out_size bytes), cut at a character boundary. */
static void copy_text(char *out, size_t out_size, const char *text)
{
    size_t keep = utf8_truncate(text, strlen(text), out_size - 1);
    memcpy(out, text, keep);
    out[keep] = '\0';
}

static void copy_rate(const cJSON *entry, model_info *info)
{
    const cJSON *rate = cJSON_GetObjectItemCaseSensitive(entry, "rateMultiplier");
    info->rate_multiplier = -1;
    if (cJSON_IsNumber(rate) && rate->valuedouble >= 0 && rate->valuedouble <= 1e6)
        info->rate_multiplier = rate->valuedouble;
    const cJSON *unit = cJSON_GetObjectItemCaseSensitive(entry, "rateUnit");
    if (cJSON_IsString(unit))
        copy_text(info->rate_unit, sizeof info->rate_unit, unit->valuestring);
}

/* supportedInputTypes: the strings that fit (others skipped); absent or not an array: unknown. */
static void copy_input_types(const cJSON *entry, model_info *info)
{
    const cJSON *types = cJSON_GetObjectItemCaseSensitive(entry, "supportedInputTypes");
    info->input_type_count = -1;
    if (!cJSON_IsArray(types))
        return;
    info->input_type_count = 0;
    const cJSON *type;
    cJSON_ArrayForEach(type, types) {
        if (info->input_type_count >= MODEL_INPUT_TYPES_MAX)
            break;
        if (!cJSON_IsString(type) || type->valuestring[0] == '\0' ||
            strlen(type->valuestring) >= MODEL_INPUT_TYPE_SIZE)
            continue;
        snprintf(info->input_types[info->input_type_count++], MODEL_INPUT_TYPE_SIZE, "%s",
                 type->valuestring);
    }
}

/* promptCaching passed through as compact JSON when it is an object that fits; a bare boolean
 * becomes {"supportsPromptCaching":<bool>}. */
static void copy_prompt_caching(const cJSON *entry, model_info *info)
{
    const cJSON *caching = cJSON_GetObjectItemCaseSensitive(entry, "promptCaching");
    if (cJSON_IsBool(caching)) {
        snprintf(info->prompt_caching, sizeof info->prompt_caching,
                 "{\"supportsPromptCaching\":%s}", cJSON_IsTrue(caching) ? "true" : "false");
        return;
    }
    if (!cJSON_IsObject(caching))
        return;
    char *text = cJSON_PrintUnformatted(caching);
    if (text && strlen(text) < sizeof info->prompt_caching)
        snprintf(info->prompt_caching, sizeof info->prompt_caching, "%s", text);
    cJSON_free(text);
}

/* Fills info from one upstream entry. Returns 0, or -1 when the entry is unusable. */
static int entry_to_info(const cJSON *entry, model_info *info)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(entry, "modelId");
    if (!cJSON_IsString(id) || id->valuestring[0] == '\0' ||
        strlen(id->valuestring) >= sizeof info->id)
        return -1;
    memset(info, 0, sizeof *info);
    snprintf(info->id, sizeof info->id, "%s", id->valuestring);

    const model_info *known = model_default_find(info->id);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(entry, "modelName");
    if (cJSON_IsString(name) && name->valuestring[0] != '\0')
        copy_text(info->display_name, sizeof info->display_name, name->valuestring);
    else if (known)
        snprintf(info->display_name, sizeof info->display_name, "%s", known->display_name);
    else
        display_name_from_id(info->id, info->display_name, sizeof info->display_name);

    snprintf(info->created_at, sizeof info->created_at, "%s",
             known ? known->created_at : MODEL_UNKNOWN_CREATED_AT);
    info->max_tokens = (int)output_limit(entry, known, &info->output_limit_stated);
    info->max_input_tokens = input_limit(entry, known);
    const cJSON *description = cJSON_GetObjectItemCaseSensitive(entry, "description");
    if (cJSON_IsString(description))
        copy_text(info->description, sizeof info->description, description->valuestring);
    copy_rate(entry, info);
    copy_input_types(entry, info);
    copy_prompt_caching(entry, info);
    return 0;
}

static int already_listed(const model_info *list, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(list[i].id, id) == 0)
            return 1;
    return 0;
}

static void add_entry(const cJSON *entry, model_info *list, size_t *n)
{
    model_info info;
    if (*n >= MODEL_CATALOG_MAX || !cJSON_IsObject(entry) || entry_to_info(entry, &info) != 0)
        return;
    if (already_listed(list, *n, info.id))
        return;
    list[(*n)++] = info;
}

struct model_pages {
    model_info *list;       /* MODEL_CATALOG_MAX entries */
    size_t count;
    model_info default_model;
    int have_default;
    int pages;
    char next_token[MODEL_NEXT_TOKEN_SIZE];   /* "" = no further page */
    char previous_token[MODEL_NEXT_TOKEN_SIZE];
};

model_pages *model_pages_new(void)
{
    model_pages *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->list = malloc(MODEL_CATALOG_MAX * sizeof *p->list);
    if (!p->list) {
        free(p);
        return NULL;
    }
    return p;
}

void model_pages_free(model_pages *p)
{
    if (!p)
        return;
    free(p->list);
    free(p);
}

/* Remembers the page's nextToken; a missing, empty, oversized or repeated token ends paging. */
static void take_next_token(model_pages *p, const cJSON *root)
{
    snprintf(p->previous_token, sizeof p->previous_token, "%s", p->next_token);
    p->next_token[0] = '\0';
    const cJSON *token = cJSON_GetObjectItemCaseSensitive(root, "nextToken");
    if (!cJSON_IsString(token) || token->valuestring[0] == '\0' ||
        strlen(token->valuestring) >= sizeof p->next_token ||
        strcmp(token->valuestring, p->previous_token) == 0)
        return;
    snprintf(p->next_token, sizeof p->next_token, "%s", token->valuestring);
}

int model_pages_add(model_pages *p, const char *json, size_t len)
{
    if (!p || !json || len == 0)
        return -1;
    cJSON *root = cJSON_ParseWithLength(json, len);
    const cJSON *models = cJSON_GetObjectItemCaseSensitive(root, "models");
    if (!cJSON_IsArray(models)) {
        cJSON_Delete(root);
        p->next_token[0] = '\0';
        return -1;
    }
    const cJSON *entry;
    cJSON_ArrayForEach(entry, models)
        add_entry(entry, p->list, &p->count);
    const cJSON *fallback = cJSON_GetObjectItemCaseSensitive(root, "defaultModel");
    if (!p->have_default && cJSON_IsObject(fallback) &&
        entry_to_info(fallback, &p->default_model) == 0)
        p->have_default = 1;
    p->pages++;
    take_next_token(p, root);
    cJSON_Delete(root);
    return 0;
}

const char *model_pages_next_token(const model_pages *p)
{
    if (!p || p->pages >= MODEL_PAGES_MAX || p->next_token[0] == '\0')
        return NULL;
    return p->next_token;
}

int model_pages_count(const model_pages *p)
{
    return p ? p->pages : 0;
}

int model_pages_finish(model_pages *p, model_info **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    if (!p)
        return -1;
    /* The default model is normally also in "models"; add it when no page listed it. */
    if (p->have_default && p->count < MODEL_CATALOG_MAX &&
        !already_listed(p->list, p->count, p->default_model.id))
        p->list[p->count++] = p->default_model;
    if (p->count == 0)
        return -1;
    *out = p->list;
    *count = p->count;
    p->list = NULL;
    p->count = 0;
    return 0;
}

int model_catalog_parse_upstream(const char *json, size_t len, model_info **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    model_pages *p = model_pages_new();
    int rc = p && model_pages_add(p, json, len) == 0 ? model_pages_finish(p, out, count) : -1;
    model_pages_free(p);
    return rc;
}
