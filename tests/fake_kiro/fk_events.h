/* fk_events.h: decoding a captured event stream into a list tests can assert on.
 *
 * Uses the project's own decoder (kiro_eventstream), fed in small pieces so that frames split
 * across reads are exercised too. Decoder errors are kept, not hidden: the fault tests assert on
 * them (a CRC error for --malformed, truncation for --truncate). */
#ifndef FK_TEST_EVENTS_H
#define FK_TEST_EVENTS_H

#include <stddef.h>

#include <cjson/cJSON.h>

typedef struct fk_event {
    char message_type[32];
    char event_type[64];
    char exception_type[64];
    cJSON *payload; /* NULL when the payload was not JSON */
} fk_event;

typedef struct fk_events {
    fk_event *items;
    size_t count;
    int feed_rc;   /* first non-OK es_decoder_feed result, or ES_OK */
    int finish_rc; /* es_decoder_finish result (ES_OK when feed already failed) */
} fk_events;

/* Decodes data fed in pieces of piece_bytes. Returns 0 unless out of memory. */
int fk_events_decode(fk_events *e, const void *data, size_t len, size_t piece_bytes);
void fk_events_free(fk_events *e);
/* Concatenated "content" of every assistantResponseEvent (malloc'd). */
char *fk_events_text(const fk_events *e);
/* Concatenated "input" fragments of the toolUseEvents (malloc'd). */
char *fk_events_tool_input(const fk_events *e);
size_t fk_events_count(const fk_events *e, const char *event_type);
/* The first event of this type, or NULL. */
const fk_event *fk_events_find(const fk_events *e, const char *event_type);

#endif
