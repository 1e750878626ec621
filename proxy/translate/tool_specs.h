/* tool_specs.h: Anthropic tool definitions to upstream tool specifications (internal).
 *
 * Produces {"toolSpecification":{"name","description","inputSchema":{"json":schema}}} entries:
 * names shortened to TOOL_NAME_MAX bytes (recorded in the name map), empty descriptions
 * replaced by "Tool <name>", descriptions capped in characters, schemas cleaned. Server tools
 * (a "type" other than "custom") are left out, and a second tool with the same upstream name
 * is dropped because the upstream refuses duplicates. */
#ifndef KIRO_TRANSLATE_TOOL_SPECS_H
#define KIRO_TRANSLATE_TOOL_SPECS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "util/api_error.h"

/* tools is NULL or a checked "tools" array (see request_check.h). On success returns 0 with
 * *specs the new array (NULL when no tool was kept) and *count its size; renamed tools are added
 * to *name_map. Returns -1 with err (500) when out of memory. */
int tool_specs_build(const cJSON *tools, size_t max_description, cJSON **specs, int *count,
                     cJSON **name_map, api_error *err);

#endif
