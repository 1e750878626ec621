/* sse.h: parses a captured text/event-stream body into events for assertions. */
#ifndef KIRO_TEST_SSE_H
#define KIRO_TEST_SSE_H

#include <cjson/cJSON.h>
#include <stddef.h>

typedef struct sse_event {
    char name[64];   /* "event:" value, "" when absent */
    char *data;      /* joined "data:" lines */
    cJSON *json;     /* data parsed as JSON, NULL when not JSON */
} sse_event;

typedef struct sse_list {
    sse_event *events;
    size_t count;
} sse_list;

/* Returns 0; comments (": ping") are skipped. */
int sse_parse(const char *body, sse_list *out);
void sse_free(sse_list *l);
/* Index of the first event named name at or after from, or -1. */
int sse_find(const sse_list *l, const char *name, size_t from);

#endif
