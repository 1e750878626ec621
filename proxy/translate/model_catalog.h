/* model_catalog.h: the models the proxy offers and the mapping of client model names onto them.
 *
 * The catalogue lives in memory behind a mutex that is held only to copy entries, never across
 * I/O: /v1/models reads it without touching the network while a background thread replaces it
 * with what upstream ListAvailableModels returns. Client names are normalised
 * (claude-sonnet-4-5-20250929 -> claude-sonnet-4.5, "-thinking" suffix -> thinking on). */
#ifndef KIRO_MODEL_CATALOG_H
#define KIRO_MODEL_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#define MODEL_ID_SIZE 64
/* Most entries a catalogue holds; longer upstream lists are cut. */
#define MODEL_CATALOG_MAX 256
#define MODEL_DESCRIPTION_SIZE 256
#define MODEL_INPUT_TYPES_MAX 8
#define MODEL_INPUT_TYPE_SIZE 24
#define MODEL_PROMPT_CACHING_SIZE 192

/* One model. The fields after max_tokens are what ListAvailableModels says about it, kept so
 * that /v1/models can show them (the kiro-go launcher's model panel shows rateMultiplier);
 * each has an "unknown" value for models the upstream has not described (yet). */
typedef struct model_info {
    char id[MODEL_ID_SIZE];   /* e.g. claude-sonnet-4.5; also the Kiro modelId */
    char display_name[96];    /* e.g. Claude Sonnet 4.5 */
    char created_at[24];      /* RFC 3339 */
    int max_tokens;           /* max output tokens (a default when the upstream states none) */
    long max_input_tokens;    /* tokenLimits.maxInputTokens: the context window; 0 = unknown */
    int output_limit_stated;  /* 1 when tokenLimits.maxOutputTokens was a number */
    char description[MODEL_DESCRIPTION_SIZE];   /* "" = none */
    double rate_multiplier;   /* credits per request relative to the base; < 0 = unknown */
    char rate_unit[32];       /* e.g. "Credit"; "" = unknown */
    /* supportedInputTypes, e.g. TEXT, IMAGE; input_type_count -1 = unknown */
    char input_types[MODEL_INPUT_TYPES_MAX][MODEL_INPUT_TYPE_SIZE];
    int input_type_count;
    /* promptCaching as the upstream sent it (compact JSON object, e.g.
     * {"supportsPromptCaching":true}); "" = unknown */
    char prompt_caching[MODEL_PROMPT_CACHING_SIZE];
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

/* A number for the entries' current state, read without the lock: it changes with every
 * model_catalog_replace() and no two catalogues of the process ever share one, so a view
 * derived from the entries (the /v1/models text) can be kept until it changes. */
uint64_t model_catalog_generation(model_catalog *c);

/* model_catalog_snapshot(), plus the generation of the entries copied. */
size_t model_catalog_snapshot_generation(model_catalog *c, model_info **out,
                                         uint64_t *generation);

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
 * ({"models":[{"modelId","modelName","description","rateMultiplier","rateUnit",
 * "supportedInputTypes","promptCaching","tokenLimits":{"maxInputTokens","maxOutputTokens"}}],
 * "defaultModel":{...},"nextToken":"..."}). *out is malloc'd. Returns 0 with *count > 0, or -1. */
int model_catalog_parse_upstream(const char *json, size_t len, model_info **out, size_t *count);

/* The pages of one paged ListAvailableModels answer, merged. The refresher asks for a page,
 * adds it here and asks for the next one while model_pages_next_token() is not NULL, at most
 * MODEL_PAGES_MAX pages (a service that keeps handing out tokens cannot keep it busy). */
#define MODEL_PAGES_MAX 16
#define MODEL_NEXT_TOKEN_SIZE 1024
typedef struct model_pages model_pages;
model_pages *model_pages_new(void);
void model_pages_free(model_pages *p);
/* Adds one page (duplicates of earlier pages are skipped). Returns 0, or -1 when the page is
 * not a model list (the merge so far is kept). */
int model_pages_add(model_pages *p, const char *json, size_t len);
/* The nextToken of the last page added, or NULL when it was the last page, the token was
 * empty, too long or the same as the previous one, or MODEL_PAGES_MAX pages were added. */
const char *model_pages_next_token(const model_pages *p);
/* Pages added so far. */
int model_pages_count(const model_pages *p);
/* The merged list (the default model added when no page listed it). *out is malloc'd.
 * Returns 0 with *count > 0, or -1 when no page held a usable model. */
int model_pages_finish(model_pages *p, model_info **out, size_t *count);

#endif
