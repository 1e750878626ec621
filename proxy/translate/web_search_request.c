/* web_search_request.c: web_search requests and their query; see web_search_request.h.
 *
 * kiro-go takes the query from the first message; this takes the last user message, which is
 * the same message in Claude Code's one-message search request and the question being asked
 * now in a longer conversation. */
#include "translate/web_search_request.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

/* A query this long is refused anyway; joining stops a little past it. */
#define QUERY_TEXT_CAP (4u * WEB_SEARCH_MAX_QUERY_BYTES)

int anthropic_tool_is_web_search(const cJSON *tool)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(tool, "type");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(tool, "name");
    return cJSON_IsString(type) && strncmp(type->valuestring, "web_search_", 11) == 0 &&
           cJSON_IsString(name) && strcmp(name->valuestring, "web_search") == 0;
}

web_search_use web_search_requested(const cJSON *request)
{
    const cJSON *tools = cJSON_GetObjectItemCaseSensitive(request, "tools");
    if (!cJSON_IsArray(tools))
        return WEB_SEARCH_NOT_ASKED;
    int searches = 0, others = 0;
    const cJSON *tool;
    cJSON_ArrayForEach(tool, tools)
    {
        if (anthropic_tool_is_web_search(tool))
            searches++;
        else
            others++;
    }
    if (searches == 0)
        return WEB_SEARCH_NOT_ASKED;
    return others == 0 ? WEB_SEARCH_ONLY : WEB_SEARCH_WITH_OTHER_TOOLS;
}

int web_search_max_uses(const cJSON *request)
{
    const cJSON *tool;
    cJSON_ArrayForEach(tool, cJSON_GetObjectItemCaseSensitive(request, "tools"))
    {
        if (!anthropic_tool_is_web_search(tool))
            continue;
        const cJSON *max_uses = cJSON_GetObjectItemCaseSensitive(tool, "max_uses");
        double n = cJSON_IsNumber(max_uses) ? max_uses->valuedouble : 0;
        if (n >= 1 && n <= 1000 && (double)(int)n == n)
            return (int)n;
        return 0;
    }
    return 0;
}

static const cJSON *last_user_message(const cJSON *request)
{
    const cJSON *found = NULL, *message;
    cJSON_ArrayForEach(message, cJSON_GetObjectItemCaseSensitive(request, "messages"))
    {
        const cJSON *role = cJSON_GetObjectItemCaseSensitive(message, "role");
        if (cJSON_IsString(role) && strcmp(role->valuestring, "user") == 0)
            found = message;
    }
    return found;
}

/* Appends as much of s as fits under the cap (the query is too long anyway past it). */
static int append_capped(kbuf *out, const char *s)
{
    size_t room = out->cap - out->len;
    size_t len = strlen(s);
    return kbuf_append(out, s, len < room ? len : room) == KBUF_ERR_NOMEM ? -1 : 0;
}

/* The message's text: the string content, or its text blocks joined by newlines. */
static int message_text(const cJSON *message, kbuf *out)
{
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(message, "content");
    if (cJSON_IsString(content))
        return append_capped(out, content->valuestring);
    const cJSON *block;
    cJSON_ArrayForEach(block, content)
    {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(block, "type");
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(block, "text");
        if (!cJSON_IsString(type) || strcmp(type->valuestring, "text") != 0 ||
            !cJSON_IsString(text))
            continue;
        if (out->len && append_capped(out, "\n") != 0)
            return -1;
        if (append_capped(out, text->valuestring) != 0)
            return -1;
    }
    return 0;
}

char *web_search_query(const cJSON *request, api_error *err)
{
    kbuf text = KBUF_INIT(QUERY_TEXT_CAP);
    const cJSON *message = last_user_message(request);
    if (message && message_text(message, &text) != 0) {
        kbuf_free(&text);
        api_error_set(err, 500, "api_error", "out of memory");
        return NULL;
    }
    const char *start = text.data ? text.data : "";
    size_t prefix = strlen(WEB_SEARCH_QUERY_PREFIX);
    while (isspace((unsigned char)*start))
        start++;
    if (strncmp(start, WEB_SEARCH_QUERY_PREFIX, prefix) == 0)
        start += prefix;
    while (isspace((unsigned char)*start))
        start++;
    size_t len = strlen(start);
    while (len && isspace((unsigned char)start[len - 1]))
        len--;
    if (len == 0) {
        kbuf_free(&text);
        api_error_set(err, 400, "invalid_request_error",
                      "web_search: no search query in the last user message");
        return NULL;
    }
    char *query = malloc(len + 1);
    if (query) {
        memcpy(query, start, len);
        query[len] = '\0';
    } else {
        api_error_set(err, 500, "api_error", "out of memory");
    }
    kbuf_free(&text);
    return query;
}
