/* model_defaults.c: the models offered before (or without) an upstream model list.
 *
 * Kept as a constant table so that the catalogue, the upstream parser and the tests all agree
 * on ids, display names, creation dates and output limits. */
#include "translate/model_defaults.h"

#include <strings.h>

/* Context windows: Kiro's ListAvailableModels gives Claude 4.6 models a 1M-token window and
 * the earlier ones 200K (as kiro-go's getContextWindowSize notes); "auto" states none. What the
 * upstream did not describe stays unknown (rate multiplier, input types, prompt caching). */
#define DEFAULT_MODEL(model_id, name, created, max_out, max_in)                                 \
    { .id = model_id, .display_name = name, .created_at = created, .max_tokens = max_out,         \
      .max_input_tokens = max_in, .rate_multiplier = -1, .input_type_count = -1 }

static const model_info default_models[] = {
    DEFAULT_MODEL("claude-sonnet-4.5", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z", 64000, 200000),
    DEFAULT_MODEL("claude-sonnet-4", "Claude Sonnet 4", "2025-05-22T00:00:00Z", 64000, 200000),
    DEFAULT_MODEL("claude-haiku-4.5", "Claude Haiku 4.5", "2025-10-15T00:00:00Z", 64000, 200000),
    DEFAULT_MODEL("claude-opus-4.5", "Claude Opus 4.5", "2025-11-24T00:00:00Z", 32000, 200000),
    DEFAULT_MODEL("claude-opus-4.6", "Claude Opus 4.6", "2026-02-05T00:00:00Z", 32000, 1000000),
    DEFAULT_MODEL("claude-sonnet-4.6", "Claude Sonnet 4.6", "2026-02-17T00:00:00Z", 64000, 1000000),
    DEFAULT_MODEL("auto", "Auto", "2025-01-01T00:00:00Z", 64000, 0),
};

const model_info *model_defaults(size_t *count)
{
    *count = sizeof default_models / sizeof default_models[0];
    return default_models;
}

const model_info *model_default_find(const char *id)
{
    if (!id)
        return NULL;
    for (size_t i = 0; i < sizeof default_models / sizeof default_models[0]; i++)
        if (strcasecmp(default_models[i].id, id) == 0)
            return &default_models[i];
    return NULL;
}
