/* model_defaults.h: the built-in model list (internal to the translate module).
 *
 * The catalogue starts from these entries, and the parser of the upstream model list uses them
 * to keep stable creation dates and output limits for ids it already knows. */
#ifndef KIRO_TRANSLATE_MODEL_DEFAULTS_H
#define KIRO_TRANSLATE_MODEL_DEFAULTS_H

#include <stddef.h>

#include "translate/model_catalog.h"

/* Creation date given to upstream models that are not among the defaults. */
#define MODEL_UNKNOWN_CREATED_AT "2025-01-01T00:00:00Z"
/* Output limit given to upstream models that state none and are not among the defaults. */
#define MODEL_FALLBACK_MAX_TOKENS 64000

/* The default entries; *count receives their number. */
const model_info *model_defaults(size_t *count);
/* The default entry with this id (case-insensitive), or NULL. */
const model_info *model_default_find(const char *id);

#endif
