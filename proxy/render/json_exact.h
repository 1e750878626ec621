/* json_exact.h: strict JSON parsing of a byte range.
 *
 * cJSON_ParseWithLength stops after the first complete value and ignores what follows, so
 * "{} trailing" would pass as {}. Upstream payloads and tool input must be exactly one JSON
 * value (surrounding whitespace allowed); anything else is malformed. */
#ifndef KIRO_RENDER_JSON_EXACT_H
#define KIRO_RENDER_JSON_EXACT_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* The value s[0..len) holds, or NULL when it is not exactly one JSON value. Caller deletes. */
cJSON *json_parse_exact(const char *s, size_t len);

#endif
