/* gate_wire.h: the bytes the front gate writes itself and the response heads it reads from
 * libmicrohttpd (front_gate.h says why).
 *
 * The gate answers refused requests itself, in the API's error shape (Anthropic's, or OpenAI's
 * under /v1/chat/), always with Connection: close; and it reads the head of every response
 * libmicrohttpd sends to know where the response ends and whether libmicrohttpd wrote it on its
 * own (an error page without the request-id header every proxy response carries). */
#ifndef KIRO_GATE_WIRE_H
#define KIRO_GATE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "server/request_head.h"

/* 1 when the request in buf (complete or not, parsable or not) is for the OpenAI API
 * (/v1/chat/...), so its errors take OpenAI's shape. */
int gate_request_is_openai(const char *buf, size_t len);

/* A complete HTTP/1.1 error response: status line, Content-Type: application/json,
 * Content-Length, Connection: close, request-id, and the error body (left out when head_only,
 * for HEAD requests). message must be valid UTF-8 and is never raw request bytes. Returns a
 * malloc'd buffer (caller frees) with its length in *len, or NULL when out of memory. */
char *gate_error_response(int status, const char *message, int openai, int head_only, size_t *len);

/* What the gate needs from a response head. */
typedef struct response_info {
    int status;
    int has_request_id; /* written by the proxy's routes (else: by libmicrohttpd itself) */
    int connection_close;
    body_framing framing; /* given the request method (HEAD: none) */
    uint64_t content_length;
    size_t head_len; /* bytes of the head, blank line included */
} response_info;

/* Parses the response head at the start of buf. Returns 1 with info filled, 0 when the head is
 * not complete yet, -1 when it is not a valid response head (or longer than max). */
int gate_parse_response_head(const char *buf, size_t len, size_t max, int request_was_head,
                             response_info *info);

#endif
