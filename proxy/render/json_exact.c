/* json_exact.c: one JSON value and nothing else; see json_exact.h. */
#include "render/json_exact.h"

cJSON *json_parse_exact(const char *s, size_t len)
{
    if (!s || len == 0)
        return NULL;
    const char *end = NULL;
    cJSON *json = cJSON_ParseWithLengthOpts(s, len, &end, 0);
    if (!json)
        return NULL;
    while (end && end < s + len && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
        end++;
    if (end != s + len) {
        cJSON_Delete(json);
        return NULL;
    }
    return json;
}
