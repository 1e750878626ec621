/* fx_reply.h: what a client got from /v1/messages: the text of a non-streaming reply, and the
 * shape of a streamed one (message_start, text, error event, message_stop). */
#ifndef FX_REPLY_H
#define FX_REPLY_H

#include <stddef.h>

typedef struct fx_stream_view {
    int events;
    int message_start;  /* index of the first message_start, -1 when absent */
    int message_stop;   /* index of the first message_stop, -1 when absent */
    int error;          /* index of the first error event, -1 when absent */
    int last;           /* index of the last event */
    char error_type[64];
    char *text;         /* the text deltas joined (malloc'd) */
} fx_stream_view;

void fx_stream_view_parse(const char *body, fx_stream_view *v);
void fx_stream_view_free(fx_stream_view *v);

/* The text blocks of a non-streaming Anthropic reply, joined (malloc'd), or NULL. */
char *fx_message_text(const char *json);

/* The error.type of an Anthropic error body into out; 0 when body is one. */
int fx_error_type(const char *json, char *out, size_t size);

#endif
