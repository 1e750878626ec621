/* model_upstream.c: parsing of the upstream ListAvailableModels answer into catalogue entries.
 *
 * The upstream list is trusted only as data: malformed entries are skipped, strings are
 * bounded by the entry fields, and the list is cut at MODEL_CATALOG_MAX. Known ids keep their
 * default creation date so that /v1/models stays stable across refreshes. */
#include "translate/model_catalog.h"
#include "translate/model_defaults.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define UPSTREAM_MAX_OUTPUT_TOKENS 1000000

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

static long output_limit(const cJSON *entry, const model_info *known)
{
    const cJSON *limits = cJSON_GetObjectItemCaseSensitive(entry, "tokenLimits");
    const cJSON *max_out = cJSON_GetObjectItemCaseSensitive(limits, "maxOutputTokens");
    if (cJSON_IsNumber(max_out) && max_out->valuedouble >= 1 &&
        max_out->valuedouble <= UPSTREAM_MAX_OUTPUT_TOKENS)
        return (long)max_out->valuedouble;
    return known ? known->max_tokens : MODEL_FALLBACK_MAX_TOKENS;
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
        snprintf(info->display_name, sizeof info->display_name, "%s", name->valuestring);
    else if (known)
        snprintf(info->display_name, sizeof info->display_name, "%s", known->display_name);
    else
        display_name_from_id(info->id, info->display_name, sizeof info->display_name);

    snprintf(info->created_at, sizeof info->created_at, "%s",
             known ? known->created_at : MODEL_UNKNOWN_CREATED_AT);
    info->max_tokens = (int)output_limit(entry, known);
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

int model_catalog_parse_upstream(const char *json, size_t len, model_info **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    if (!json || len == 0)
        return -1;
    cJSON *root = cJSON_ParseWithLength(json, len);
    const cJSON *models = cJSON_GetObjectItemCaseSensitive(root, "models");
    if (!cJSON_IsArray(models)) {
        cJSON_Delete(root);
        return -1;
    }
    model_info *list = malloc(MODEL_CATALOG_MAX * sizeof *list);
    if (!list) {
        cJSON_Delete(root);
        return -1;
    }
    size_t n = 0;
    const cJSON *entry;
    cJSON_ArrayForEach(entry, models)
        add_entry(entry, list, &n);
    /* The default model is normally also in "models"; add it when it is not. */
    add_entry(cJSON_GetObjectItemCaseSensitive(root, "defaultModel"), list, &n);
    cJSON_Delete(root);
    if (n == 0) {
        free(list);
        return -1;
    }
    *out = list;
    *count = n;
    return 0;
}
