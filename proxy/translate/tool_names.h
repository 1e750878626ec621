/* tool_names.h: client tool names to upstream tool names (internal to the translate module).
 *
 * The upstream accepts tool names of at most TOOL_NAME_MAX bytes; MCP tools often have longer
 * ones. A long name is shortened deterministically (a prefix plus a hash of the whole name), so
 * that the tool specification and every toolUse in the history get the same short name, and
 * the short -> original mapping lets responses use the client's name again. */
#ifndef KIRO_TRANSLATE_TOOL_NAMES_H
#define KIRO_TRANSLATE_TOOL_NAMES_H

#include <cjson/cJSON.h>

#include "translate/translate_limits.h"

/* Writes the upstream name for name into out: name itself when it fits in TOOL_NAME_MAX bytes,
 * otherwise its first bytes (cut on a character boundary), '_' and 8 hex digits of a 32-bit
 * FNV-1a hash of the full name. Returns 1 when the name was shortened, 0 otherwise. */
int tool_name_for_upstream(const char *name, char out[TOOL_NAME_MAX + 1]);

/* Records short_name -> original in *map, creating the object on first use; an existing entry
 * is kept. Returns 0, or -1 when out of memory. */
int tool_name_map_add(cJSON **map, const char *short_name, const char *original);

#endif
