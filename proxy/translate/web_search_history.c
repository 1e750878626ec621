/* web_search_history.c: earlier web_search blocks as history text; see web_search_history.h. */
#include "translate/web_search_history.h"

#include <string.h>

static const char *string_of(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* kbuf status -> 0 (including the cap: the text is simply cut) or -1 (out of memory). */
static int status_of(int rc)
{
    return rc == KBUF_ERR_NOMEM ? -1 : 0;
}

static int use_text(const cJSON *block, kbuf *out)
{
    const char *query = string_of(cJSON_GetObjectItemCaseSensitive(block, "input"), "query");
    return status_of(kbuf_printf(out, "[web_search: %.2000s]", query ? query : ""));
}

static int result_text(const cJSON *block, kbuf *out)
{
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(block, "content");
    if (cJSON_IsObject(content)) {
        const char *code = string_of(content, "error_code");
        return status_of(kbuf_printf(out, "[web search failed: %.100s]", code ? code : "error"));
    }
    int rc = kbuf_append_str(out, "[web search results]");
    int n = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, content)
    {
        if (rc != KBUF_OK)
            break;
        const char *title = string_of(item, "title");
        const char *url = string_of(item, "url");
        const char *age = string_of(item, "page_age");
        if (!url)
            continue;
        rc = kbuf_printf(out, "\n%d. %.500s\n   %.2000s%s%.60s", ++n, title ? title : url, url,
                         age ? " (" : "", age ? age : "");
        if (rc == KBUF_OK && age)
            rc = kbuf_append_str(out, ")");
    }
    if (rc == KBUF_OK && n == 0)
        rc = kbuf_append_str(out, "\n(no results)");
    return status_of(rc);
}

int web_search_history_text(const cJSON *block, kbuf *out)
{
    const char *type = string_of(block, "type");
    if (!type)
        return 0;
    if (strcmp(type, "server_tool_use") == 0) {
        const char *name = string_of(block, "name");
        if (!name || strcmp(name, "web_search") != 0)
            return 0;
        return use_text(block, out) == 0 ? 1 : -1;
    }
    if (strcmp(type, "web_search_tool_result") == 0)
        return result_text(block, out) == 0 ? 1 : -1;
    return 0;
}
