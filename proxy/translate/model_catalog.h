/* model_catalog.h: the models the proxy offers and the mapping of client model names onto them.
 *
 * The catalogue lives in memory behind a mutex that is held only to copy entries, never across
 * I/O: /v1/models reads it without touching the network while a background thread replaces it
 * with what upstream ListAvailableModels returns. Client names are normalised
 * (claude-sonnet-4-5-20250929 -> claude-sonnet-4.5, "-thinking" suffix -> thinking on). */
#ifndef KIRO_MODEL_CATALOG_H
#define KIRO_MODEL_CATALOG_H

#include <stddef.h>

#define MODEL_ID_SIZE 64
/* Most entries a catalogue holds; longer upstream lists are cut. */
#define MODEL_CATALOG_MAX 256

typedef struct model_info {
    char id[MODEL_ID_SIZE];   /* e.g. claude-sonnet-4.5; also the Kiro modelId */
    char display_name[96];    /* e.g. Claude Sonnet 4.5 */
    char created_at[24];      /* RFC 3339 */
    int max_tokens;           /* max output tokens */
} model_info;

typedef struct model_catalog model_catalog;

/* A catalogue holding the built-in defaults: claude-sonnet-4.5, claude-sonnet-4,
 * claude-haiku-4.5, claude-opus-4.5, claude-opus-4.6, claude-sonnet-4.6, auto. */
model_catalog *model_catalog_new_default(void);
void model_catalog_free(model_catalog *c);

/* Replaces the entries (n > 0) atomically. Returns 0, or -1 when n is 0 or too large. */
int model_catalog_replace(model_catalog *c, const model_info *models, size_t n);

/* Copies the entries out; *out is malloc'd (caller frees). Returns the count. */
size_t model_catalog_snapshot(model_catalog *c, model_info **out);

/* Resolves a client model name against the catalogue. On success returns 0, writes the
 * catalogue id into kiro_id and sets *thinking when the name asked for it ("-thinking").
 * Returns -1 for an unknown model family. */
int model_catalog_resolve(model_catalog *c, const char *client_name, char *kiro_id,
                          size_t kiro_id_size, int *thinking);

/* Like model_catalog_resolve, but copies the whole catalogue entry (id, output limit, ...).
 * Resolution order: exact id (case-insensitive), normalised name, newest model of the same
 * Claude family. Returns 0, or -1 for an unknown model. */
int model_catalog_resolve_info(model_catalog *c, const char *client_name, model_info *out,
                               int *thinking);

/* Pure name normalisation (no catalogue): lower-case, strip "-thinking", dates ("-20250929")
 * and "-latest", digit-hyphen-digit version to a dot ("4-5" -> "4.5"). Returns 0, or -1 when
 * the name is empty or does not fit. */
int model_name_normalize(const char *in, char *out, size_t out_size, int *thinking);

/* Parses an upstream ListAvailableModels response
 * ({"models":[{"modelId","modelName","description","tokenLimits":{"maxOutputTokens"}}]}).
 * *out is malloc'd. Returns 0 with *count > 0, or -1. */
int model_catalog_parse_upstream(const char *json, size_t len, model_info **out, size_t *count);

#endif
