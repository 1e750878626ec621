/* raw_http.h: a byte-exact HTTP/1.1 client over a plain socket for hostile-input and security
 * tests. libcurl refuses to send much of what these tests need (NUL bytes in a request line,
 * 100 KiB headers, a Content-Length with no body, a 1-byte-per-second trickle), so requests are
 * written as raw bytes; the answer is read concurrently with sending, so a server that answers
 * early (413 before the body) is observed instead of deadlocking the test. Every wait is
 * bounded by the deadline given to rh_exchange. */
#ifndef KIRO_HOSTILE_RAW_HTTP_H
#define KIRO_HOSTILE_RAW_HTTP_H

#include <stddef.h>

/* Produces the next piece of a generated body into buf (at most cap bytes); returns the number
 * of bytes written, 0 at the end. */
typedef size_t (*rh_body_gen)(void *ctx, char *buf, size_t cap);

typedef struct rh_request {
    const char *head;       /* request line + headers + blank line, sent as is */
    size_t head_len;
    const char *body;       /* optional in-memory body */
    size_t body_len;
    rh_body_gen gen;        /* optional generated body (used when body is NULL) */
    void *gen_ctx;
    int chunked;            /* frame the body as chunks of chunk_size bytes (default 64 KiB) */
    size_t chunk_size;
    int trickle_ms;         /* > 0: send one byte of head/body every trickle_ms milliseconds */
    int read_to_close;      /* after the response, read on until the server closes */
    int trickle_body_only;  /* with trickle_ms: the head goes at once, only the body trickles */
    int half_close;         /* shut the write side once everything is sent */
} rh_request;

typedef struct rh_response {
    int status;             /* 0 when no status line arrived */
    char *head;             /* raw status line and headers, NUL-terminated (malloc'd) */
    char *body;             /* body, de-chunked, NUL-terminated (malloc'd) */
    size_t body_len;
    size_t bytes_sent;      /* request bytes (head + framed body) written before the end */
    size_t request_bytes;   /* request bytes there were to send (0 = unknown, generated) */
    int complete;           /* a whole response was read */
    int peer_closed;        /* the server closed (EOF) or reset the connection */
    int timed_out;          /* the deadline passed first */
    int connect_failed;
    size_t extra_bytes;     /* read_to_close: bytes after the first response (a second answer) */
    double first_byte_s;    /* seconds from connect to the first response byte (-1: none) */
    double seconds;         /* seconds from connect to the end of the exchange */
} rh_response;

/* Connects to host:port (numeric IPv4 or IPv6), sends the request while reading the answer,
 * and returns when the response is complete, the peer closed, or timeout_ms passed.
 * Returns 0 when a status line arrived, -1 otherwise (see the flags in out). */
int rh_exchange(const char *host, int port, const rh_request *rq, int timeout_ms,
                rh_response *out);
void rh_response_free(rh_response *r);

/* Value of response header name (case-insensitive) copied into out; NULL when absent. */
const char *rh_header(const rh_response *r, const char *name, char *out, size_t out_size);

/* Connects with a deadline. Returns a blocking socket or -1. */
int rh_connect(const char *host, int port, int timeout_ms);

#endif
