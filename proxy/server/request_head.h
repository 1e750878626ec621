/* request_head.h: the strict HTTP/1.1 request-head parser of the front gate (front_gate.h).
 *
 * Why it exists: libmicrohttpd 0.9.75 is lenient where RFC 9112 calls a request ambiguous, and
 * a request that two parsers read differently is how requests are smuggled. It takes the first
 * of two different Content-Length headers, accepts Content-Length next to Transfer-Encoding,
 * reads any Transfer-Encoding but chunked as "body until close", joins obs-fold lines without a
 * separator, keeps whitespace before a colon in the header name, cuts header values at a NUL
 * and cuts the path at %00. This parser reads the raw bytes before libmicrohttpd sees them and
 * refuses each of those with a status and a message naming what is wrong (never the raw bytes);
 * what it accepts it writes back in one canonical form (request_head_write) that
 * libmicrohttpd cannot read two ways.
 *
 * The parser is a pure function over a byte buffer: no allocation, no I/O, bounded work
 * (every loop is bounded by the buffer length), so it is fuzzed directly (tests/fuzz). */
#ifndef KIRO_REQUEST_HEAD_H
#define KIRO_REQUEST_HEAD_H

#include <stddef.h>
#include <stdint.h>

/* Limits. A request line over REQUEST_LINE_MAX gets 414; a head over REQUEST_HEAD_MAX or with
 * more than REQUEST_FIELDS_MAX header fields gets 431. Both stay well inside the 64 KiB that
 * libmicrohttpd is given per connection, so it never runs out of memory on a head. */
#define REQUEST_LINE_MAX 8192
#define REQUEST_HEAD_MAX 32768
#define REQUEST_FIELDS_MAX 100

typedef enum {
    HEAD_INCOMPLETE, /* no blank line yet and nothing wrong so far: read more */
    HEAD_OK,         /* a complete, unambiguous head */
    HEAD_REJECT,     /* refused: see verdict */
} head_result;

/* BODY_UNTIL_CLOSE only for responses (the gate follows libmicrohttpd's answers too). */
typedef enum { BODY_NONE, BODY_LENGTH, BODY_CHUNKED, BODY_UNTIL_CLOSE } body_framing;

typedef struct head_field {
    const char *name; /* points into the parsed buffer; a token (RFC 9110 tchar) */
    size_t name_len;
    const char *value; /* surrounding whitespace removed */
    size_t value_len;
} head_field;

typedef struct request_head {
    const char *method;
    size_t method_len;
    const char *path; /* origin-form target (absolute-form reduced to its path and query) */
    size_t path_len;
    const char *authority; /* absolute-form: its authority, which replaces Host; else NULL */
    size_t authority_len;
    int minor_version; /* HTTP/1.0 or HTTP/1.1 */
    int is_head;       /* method HEAD: the response has no body */
    head_field fields[REQUEST_FIELDS_MAX];
    size_t field_count;
    body_framing framing;
    uint64_t content_length; /* BODY_LENGTH */
    size_t head_len;         /* bytes of the buffer the head took, blank line included */
} request_head;

typedef struct head_verdict {
    int status;        /* 400, 413, 414, 431, 501 or 505 */
    char message[200]; /* for the client; never holds bytes of the request */
} head_verdict;

/* Parses the head at the start of buf[0..len). Returns HEAD_OK with h filled (pointers into
 * buf), HEAD_INCOMPLETE, or HEAD_REJECT with v filled. An incomplete head already past a limit
 * is rejected at once. */
head_result request_head_parse(const char *buf, size_t len, request_head *h, head_verdict *v);

/* Bytes request_head_write needs at most for h. */
size_t request_head_written_size(const request_head *h);
/* Writes the canonical head: "METHOD SP path SP HTTP/1.x", the fields in order with one
 * Content-Length and Transfer-Encoding: chunked where they apply and Host replaced by an
 * absolute-form authority, each "Name: value" CRLF, then CRLF. Returns the length, or 0 when
 * cap is too small. */
size_t request_head_write(const request_head *h, char *out, size_t cap);

/* The shape-neutral reason phrase for the statuses the gate sends ("Bad Request", ...). */
const char *http_reason_phrase(int status);

#endif
