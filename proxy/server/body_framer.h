/* body_framer.h: where an HTTP/1.1 message body ends, read incrementally (RFC 9112 6-7).
 *
 * The front gate (front_gate.h) runs one on every request body it forwards to libmicrohttpd
 * and one on every response libmicrohttpd sends back, so that it always knows where the next
 * message starts. A request's chunked body is rewritten canonically: chunk extensions and
 * trailer fields are dropped, every line ends in CRLF, so libmicrohttpd (which cuts a chunk
 * line over its buffer with a 500, and parses extensions its own way) only ever sees plain
 * "SIZE CRLF data CRLF" chunks. Malformed chunk framing, an over-long chunk line or trailer
 * section, and a body past the limit end in an error with a status (400 or 413).
 *
 * Pure and bounded: no allocation, constant state, work linear in the bytes fed. */
#ifndef KIRO_BODY_FRAMER_H
#define KIRO_BODY_FRAMER_H

#include <stddef.h>
#include <stdint.h>

#include "server/request_head.h"

/* Longest chunk-size line (size, extensions, CRLF) and trailer section accepted. */
#define CHUNK_LINE_MAX 4096
#define CHUNK_TRAILERS_MAX 8192

typedef enum { FRAMER_MORE, FRAMER_DONE, FRAMER_ERROR } framer_status;

typedef struct body_framer {
    body_framing mode;
    int state;           /* chunked parser state (body_framer.c) */
    uint64_t remaining;  /* BODY_LENGTH: bytes left; chunked: bytes left in this chunk */
    uint64_t chunk_size; /* size being read */
    uint64_t total;      /* body (data) bytes seen so far */
    uint64_t limit;      /* most data bytes accepted, 0 = no limit (413 past it) */
    size_t line_len;     /* bytes of the chunk-size line so far */
    size_t size_digits;
    size_t trailer_len; /* bytes of the trailer section so far */
    int status;         /* FRAMER_ERROR: 400 or 413 */
    char message[160];  /* FRAMER_ERROR: for the client, no request bytes in it */
} body_framer;

/* mode BODY_NONE is done at once; BODY_LENGTH takes length bytes; BODY_CHUNKED a chunked body;
 * BODY_UNTIL_CLOSE never ends (the peer's close ends it). */
void body_framer_init(body_framer *f, body_framing mode, uint64_t length, uint64_t limit);

/* Consumes bytes of in[0..in_len) (*consumed) and, when out is not NULL, appends the canonical
 * form of what it consumed to out (*produced, at most out_cap; it stops early rather than
 * overflow). With out NULL the caller passes the consumed bytes on as they are. Returns
 * FRAMER_DONE at the end of the body (bytes after it are not consumed), FRAMER_ERROR with
 * status and message, or FRAMER_MORE. */
framer_status body_framer_feed(body_framer *f, const char *in, size_t in_len, size_t *consumed,
                               char *out, size_t out_cap, size_t *produced);

#endif
