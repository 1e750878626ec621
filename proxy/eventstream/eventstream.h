/* eventstream.h: the AWS event-stream binary framing used by Kiro's generateAssistantResponse.
 *
 * Frame: u32 total length | u32 headers length | u32 CRC32(prelude 8 bytes) | headers |
 * payload | u32 CRC32(everything before it), all big-endian, CRC32 is IEEE (zlib's).
 * Header: u8 name length | name | u8 type | value (7 string and 6 bytes: u16 length + data;
 * 0/1 bool true/false (no value); 2 int8; 3 int16; 4 int32; 5 int64; 8 timestamp (8 bytes);
 * 9 uuid (16 bytes)).
 *
 * The decoder is incremental: feed it whatever a read returned, frames may be split at any
 * byte. It verifies both CRCs, caps frame sizes and never reads outside its buffer: a bad
 * frame is an error for the stream, never a crash. The encoder is used by fake-kiro and tests. */
#ifndef KIRO_EVENTSTREAM_H
#define KIRO_EVENTSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

enum {
    ES_OK = 0,
    ES_STOPPED = 1,             /* the callback asked to stop */
    ES_ERR_PRELUDE_CRC = -1,
    ES_ERR_MESSAGE_CRC = -2,
    ES_ERR_LENGTH = -3,         /* total length < 16, > max, or headers length inconsistent */
    ES_ERR_HEADER = -4,         /* malformed header block */
    ES_ERR_TRUNCATED = -5,      /* stream ended inside a frame */
    ES_ERR_NOMEM = -6,
    ES_ERR_FAILED = -7,         /* the decoder already failed; it accepts nothing more */
};

#define ES_DEFAULT_MAX_FRAME (16u * 1024u * 1024u)
#define ES_MAX_HEADERS 32

typedef struct es_header {
    const char *name;     /* NUL-terminated copy, valid during the callback */
    uint8_t type;
    const char *str;      /* types 6 and 7: value (NUL-terminated copy), str_len bytes */
    size_t str_len;
    int64_t num;          /* types 0-5 and 8: value (bool as 0/1) */
} es_header;

typedef struct es_message {
    const char *message_type;   /* ":message-type" (event | error | exception) or NULL */
    const char *event_type;     /* ":event-type" or NULL */
    const char *exception_type; /* ":exception-type" or NULL */
    const char *error_code;     /* ":error-code" or NULL */
    const char *content_type;   /* ":content-type" or NULL */
    const es_header *headers;
    size_t header_count;
    const uint8_t *payload;
    size_t payload_len;
} es_message;

/* Returns 0 to continue, non-zero to stop decoding (es_decoder_feed then returns ES_STOPPED). */
typedef int (*es_message_fn)(void *user, const es_message *message);

typedef struct es_decoder es_decoder;

/* max_frame_bytes 0 means ES_DEFAULT_MAX_FRAME. NULL when out of memory. */
es_decoder *es_decoder_new(size_t max_frame_bytes);
void es_decoder_free(es_decoder *d);
/* Decodes every complete frame in data (plus what was buffered), calling fn for each.
 * Returns ES_OK, ES_STOPPED, or an ES_ERR_* code. Errors are sticky: later feeds return
 * ES_ERR_FAILED. A stop is final too: the rest of data is dropped and later feeds return
 * ES_STOPPED without calling fn. */
int es_decoder_feed(es_decoder *d, const void *data, size_t len, es_message_fn fn, void *user);
/* Call at end of stream: ES_OK when no partial frame is buffered, else ES_ERR_TRUNCATED
 * (ES_ERR_FAILED after an earlier error). */
int es_decoder_finish(es_decoder *d);
/* Bytes buffered in an incomplete frame. */
size_t es_decoder_pending(const es_decoder *d);
const char *es_strerror(int code);

uint32_t es_crc32(uint32_t crc, const void *data, size_t len);

/* Appends one frame with string headers ":message-type", ":event-type" (or
 * ":exception-type" when message_type is "exception", ":error-code" when it is "error"),
 * ":content-type" application/json. Returns ES_OK or an ES_ERR_* code; on error out is left
 * as it was. */
int es_encode_event(kbuf *out, const char *message_type, const char *event_type,
                    const void *payload, size_t payload_len);
/* Appends one frame with arbitrary headers (tests: every header type). Types 6/7 take
 * str/str_len, type 9 takes 16 bytes in str (str_len 16), the others num. */
int es_encode_frame(kbuf *out, const es_header *headers, size_t header_count,
                    const void *payload, size_t payload_len);

#endif
