/* tool_names.c: deterministic shortening of long tool names; see tool_names.h. */
#include "translate/tool_names.h"
#include "util/utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define TOOL_NAME_HASH_DIGITS 8

static uint32_t fnv1a32(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

int tool_name_for_upstream(const char *name, char out[TOOL_NAME_MAX + 1])
{
    size_t len = strlen(name);
    if (len <= TOOL_NAME_MAX) {
        memcpy(out, name, len + 1);
        return 0;
    }
    size_t keep = utf8_truncate(name, len, TOOL_NAME_MAX - 1 - TOOL_NAME_HASH_DIGITS);
    memcpy(out, name, keep);
    snprintf(out + keep, TOOL_NAME_MAX + 1 - keep, "_%08x", (unsigned)fnv1a32(name));
    return 1;
}

int tool_name_map_add(cJSON **map, const char *short_name, const char *original)
{
    if (!*map) {
        *map = cJSON_CreateObject();
        if (!*map)
            return -1;
    }
    if (cJSON_GetObjectItemCaseSensitive(*map, short_name))
        return 0;
    return cJSON_AddStringToObject(*map, short_name, original) ? 0 : -1;
}
