/* fk_events.c: event-stream capture decoding for tests; see fk_events.h. */
#include "fk_events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventstream/eventstream.h"
#include "util/buf.h"

static void copy_name(char *out, size_t size, const char *value)
{
    snprintf(out, size, "%s", value ? value : "");
}

static int on_message(void *user, const es_message *m)
{
    fk_events *e = user;
    fk_event *items = realloc(e->items, (e->count + 1) * sizeof *items);
    if (!items)
        return 1;
    e->items = items;
    fk_event *ev = &items[e->count++];
    memset(ev, 0, sizeof *ev);
    copy_name(ev->message_type, sizeof ev->message_type, m->message_type);
    copy_name(ev->event_type, sizeof ev->event_type, m->event_type);
    copy_name(ev->exception_type, sizeof ev->exception_type, m->exception_type);
    ev->payload = cJSON_ParseWithLength((const char *)m->payload, m->payload_len);
    return 0;
}

int fk_events_decode(fk_events *e, const void *data, size_t len, size_t piece_bytes)
{
    memset(e, 0, sizeof *e);
    es_decoder *d = es_decoder_new(0);
    if (!d)
        return -1;
    const char *p = data;
    if (piece_bytes == 0)
        piece_bytes = len ? len : 1;
    for (size_t off = 0; off < len && e->feed_rc == ES_OK; off += piece_bytes) {
        size_t n = len - off < piece_bytes ? len - off : piece_bytes;
        e->feed_rc = es_decoder_feed(d, p + off, n, on_message, e);
    }
    e->finish_rc = e->feed_rc == ES_OK ? es_decoder_finish(d) : ES_OK;
    es_decoder_free(d);
    return 0;
}

void fk_events_free(fk_events *e)
{
    for (size_t i = 0; i < e->count; i++)
        cJSON_Delete(e->items[i].payload);
    free(e->items);
    memset(e, 0, sizeof *e);
}

static char *join_field(const fk_events *e, const char *event_type, const char *field)
{
    kbuf out = KBUF_INIT(0);
    kbuf_append_str(&out, "");
    for (size_t i = 0; i < e->count; i++) {
        if (strcmp(e->items[i].event_type, event_type) != 0)
            continue;
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(e->items[i].payload, field);
        if (cJSON_IsString(value))
            kbuf_append_str(&out, value->valuestring);
    }
    return kbuf_detach(&out, NULL);
}

char *fk_events_text(const fk_events *e)
{
    return join_field(e, "assistantResponseEvent", "content");
}

char *fk_events_tool_input(const fk_events *e)
{
    return join_field(e, "toolUseEvent", "input");
}

size_t fk_events_count(const fk_events *e, const char *event_type)
{
    size_t n = 0;
    for (size_t i = 0; i < e->count; i++)
        n += strcmp(e->items[i].event_type, event_type) == 0;
    return n;
}

const fk_event *fk_events_find(const fk_events *e, const char *event_type)
{
    for (size_t i = 0; i < e->count; i++) {
        if (strcmp(e->items[i].event_type, event_type) == 0)
            return &e->items[i];
    }
    return NULL;
}
