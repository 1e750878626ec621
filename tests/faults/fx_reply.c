/* fx_reply.c: reading /v1/messages replies for fault checks; see fx_reply.h. */
#include "fx_reply.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sse.h"

static void append(char **text, size_t *len, const char *more)
{
    size_t n = strlen(more);
    char *grown = realloc(*text, *len + n + 1);
    if (!grown)
        return;
    memcpy(grown + *len, more, n + 1);
    *text = grown;
    *len += n;
}

void fx_stream_view_parse(const char *body, fx_stream_view *v)
{
    memset(v, 0, sizeof *v);
    v->message_start = v->message_stop = v->error = v->last = -1;
    v->text = calloc(1, 1);
    size_t len = 0;
    sse_list l;
    if (!body || sse_parse(body, &l) != 0)
        return;
    v->events = (int)l.count;
    v->last = (int)l.count - 1;
    v->message_start = sse_find(&l, "message_start", 0);
    v->message_stop = sse_find(&l, "message_stop", 0);
    v->error = sse_find(&l, "error", 0);
    if (v->error >= 0 && l.events[v->error].json) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(l.events[v->error].json, "error");
        const cJSON *t = e ? cJSON_GetObjectItemCaseSensitive(e, "type") : NULL;
        if (cJSON_IsString(t))
            snprintf(v->error_type, sizeof v->error_type, "%s", t->valuestring);
    }
    for (size_t i = 0; i < l.count; i++) {
        if (strcmp(l.events[i].name, "content_block_delta") != 0 || !l.events[i].json)
            continue;
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(l.events[i].json, "delta");
        const cJSON *t = d ? cJSON_GetObjectItemCaseSensitive(d, "text") : NULL;
        if (cJSON_IsString(t))
            append(&v->text, &len, t->valuestring);
    }
    sse_free(&l);
}

void fx_stream_view_free(fx_stream_view *v)
{
    free(v->text);
    v->text = NULL;
}

char *fx_message_text(const char *json)
{
    cJSON *j = json ? cJSON_Parse(json) : NULL;
    const cJSON *content = j ? cJSON_GetObjectItemCaseSensitive(j, "content") : NULL;
    if (!cJSON_IsArray(content)) {
        cJSON_Delete(j);
        return NULL;
    }
    char *text = calloc(1, 1);
    size_t len = 0;
    const cJSON *block;
    cJSON_ArrayForEach(block, content)
    {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(block, "text");
        if (cJSON_IsString(t))
            append(&text, &len, t->valuestring);
    }
    cJSON_Delete(j);
    return text;
}

int fx_error_type(const char *json, char *out, size_t size)
{
    out[0] = '\0';
    cJSON *j = json ? cJSON_Parse(json) : NULL;
    const cJSON *type = j ? cJSON_GetObjectItemCaseSensitive(j, "type") : NULL;
    const cJSON *e = j ? cJSON_GetObjectItemCaseSensitive(j, "error") : NULL;
    const cJSON *et = e ? cJSON_GetObjectItemCaseSensitive(e, "type") : NULL;
    const cJSON *em = e ? cJSON_GetObjectItemCaseSensitive(e, "message") : NULL;
    int ok = cJSON_IsString(type) && strcmp(type->valuestring, "error") == 0 &&
             cJSON_IsString(et) && cJSON_IsString(em) && em->valuestring[0];
    if (cJSON_IsString(et))
        snprintf(out, size, "%s", et->valuestring);
    cJSON_Delete(j);
    return ok ? 0 : -1;
}
