/* sse.c: text/event-stream parsing for test assertions; see sse.h. */
#include "sse.h"

#include <stdlib.h>
#include <string.h>

static void add_event(sse_list *l, const char *name, const char *data, size_t data_len)
{
    sse_event *grown = realloc(l->events, (l->count + 1) * sizeof *grown);
    if (!grown)
        return;
    l->events = grown;
    sse_event *e = &l->events[l->count++];
    memset(e, 0, sizeof *e);
    strncpy(e->name, name, sizeof e->name - 1);
    e->data = malloc(data_len + 1);
    memcpy(e->data, data, data_len);
    e->data[data_len] = '\0';
    e->json = cJSON_Parse(e->data);
}

int sse_parse(const char *body, sse_list *out)
{
    memset(out, 0, sizeof *out);
    const char *p = body;
    char name[64] = "";
    char *data = NULL;
    size_t data_len = 0;
    int have = 0;
    while (p && *p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len && p[len - 1] == '\r')
            len--;
        if (len == 0) {
            if (have)
                add_event(out, name, data ? data : "", data_len);
            name[0] = '\0';
            free(data);
            data = NULL;
            data_len = 0;
            have = 0;
        } else if (p[0] == ':') {
            /* comment */
        } else if (len > 6 && strncmp(p, "event:", 6) == 0) {
            size_t off = p[6] == ' ' ? 7 : 6;
            size_t n = len - off < sizeof name - 1 ? len - off : sizeof name - 1;
            memcpy(name, p + off, n);
            name[n] = '\0';
            have = 1;
        } else if (len >= 5 && strncmp(p, "data:", 5) == 0) {
            size_t off = len > 5 && p[5] == ' ' ? 6 : 5;
            size_t n = len - off;
            char *grown = realloc(data, data_len + n + 2);
            if (!grown)
                break;
            data = grown;
            if (data_len)
                data[data_len++] = '\n';
            memcpy(data + data_len, p + off, n);
            data_len += n;
            data[data_len] = '\0';
            have = 1;
        }
        p = eol ? eol + 1 : NULL;
    }
    if (have)
        add_event(out, name, data ? data : "", data_len);
    free(data);
    return 0;
}

void sse_free(sse_list *l)
{
    for (size_t i = 0; i < l->count; i++) {
        free(l->events[i].data);
        cJSON_Delete(l->events[i].json);
    }
    free(l->events);
    memset(l, 0, sizeof *l);
}

int sse_find(const sse_list *l, const char *name, size_t from)
{
    for (size_t i = from; i < l->count; i++)
        if (strcmp(l->events[i].name, name) == 0)
            return (int)i;
    return -1;
}
