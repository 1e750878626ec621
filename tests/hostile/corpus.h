/* corpus.h: the hostile request corpus (cases.txt): parsing the case file and turning a case
 * into the exact bytes of its HTTP request.
 *
 * File format (README.md has the full description): a case starts with "[name]"; then lines
 * "keyword value". Values of path, header, body and raw understand the escapes \\ \n \r \t \0
 * \xHH and \< and the repetition <<TEXT*COUNT>> (COUNT with an optional Ki or Mi suffix), so
 * a 15 MiB string or 100000 nested brackets are one short line. */
#ifndef KIRO_HOSTILE_CORPUS_H
#define KIRO_HOSTILE_CORPUS_H

#include <stddef.h>

typedef enum { HC_SHAPE_NONE, HC_SHAPE_ANTHROPIC, HC_SHAPE_OPENAI, HC_SHAPE_JSON, HC_SHAPE_SSE } hc_shape;
typedef enum {
    HC_AUTH_NONE,
    HC_AUTH_API,
    HC_AUTH_BEARER,
    HC_AUTH_ADMIN,
    HC_AUTH_ADMIN_BEARER,
} hc_auth;
typedef enum { HC_FRAME_LENGTH, HC_FRAME_CHUNKED, HC_FRAME_NONE, HC_FRAME_DECLARE } hc_frame;

typedef struct hc_bytes {
    char *data;   /* NUL-terminated for convenience; may hold NUL bytes */
    size_t len;
} hc_bytes;

typedef struct hc_case {
    char name[64];
    char why[256];
    int line;                 /* line of "[name]" in the file */
    char method[32];
    hc_bytes path;
    hc_bytes *headers;        /* "Name: value" lines without CRLF */
    size_t header_count;
    hc_bytes body;
    hc_bytes raw;             /* when set: the whole request, sent as is */
    int has_raw;
    hc_auth auth;
    hc_frame frame;
    unsigned long long declared; /* Content-Length for HC_FRAME_DECLARE */
    int expect_status;        /* 0: the server closes the connection without any answer */
    hc_shape expect_shape;
    int expect_shape_set;     /* an expect line was read */
    char expect_type[64];     /* error.type to match, "" = any */
    int half_close;           /* "halfclose yes": the client shuts its write side after sending */
    int expect_close;         /* "closes yes": Connection: close, then the server closes with
                                 nothing after the answer (no second, smuggled response) */
} hc_case;

/* Loads every case of the file. Returns 0, or -1 with a message naming the line in err. */
int hc_load(const char *path, hc_case **cases, size_t *count, char *err, size_t err_size);
void hc_free(hc_case *cases, size_t count);

/* Expands escapes and repetitions of text (see above). Returns 0 or -1. */
int hc_expand(const char *text, hc_bytes *out);

/* The request line and headers of a case (ending with the blank line), keys put in for its
 * auth mode. The body to send afterwards is c->body (framed by c->frame). */
int hc_build_head(const hc_case *c, const char *api_key, const char *admin_key, hc_bytes *out);

#endif
