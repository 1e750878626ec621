/* model_name.h: helpers for matching model names by family (internal to the translate module).
 *
 * model_name_normalize itself is declared in model_catalog.h; these helpers serve the family
 * fallback that maps old client names (claude-3-5-haiku) onto the newest model of the family. */
#ifndef KIRO_TRANSLATE_MODEL_NAME_H
#define KIRO_TRANSLATE_MODEL_NAME_H

/* The Claude family a name belongs to ("sonnet", "haiku" or "opus"), or NULL when the name
 * does not start with "claude" or names no known family. Case-insensitive. */
const char *model_name_family(const char *name);

/* The first version number in a name as major * 1000 + minor ("claude-3.7-sonnet" -> 3007,
 * "claude-sonnet-4" -> 4000), or -1 when the name has none. */
long model_name_version(const char *name);

#endif
