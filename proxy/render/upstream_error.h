/* upstream_error.h: what a client is told when the upstream ends a response with an exception.
 *
 * Kiro reports failures inside the event stream (":message-type" exception or error). Each
 * exception type maps to the HTTP status and error type a client of the Anthropic API expects,
 * so that SDK retry logic (429, 529) works through the proxy. */
#ifndef KIRO_RENDER_UPSTREAM_ERROR_H
#define KIRO_RENDER_UPSTREAM_ERROR_H

#include "util/api_error.h"

/* 1 for ContentLengthExceededException: the answer hit the output limit (stop_reason
 * max_tokens), which ends a response normally instead of failing it. */
int upstream_exception_is_length_limit(const char *exception_type);

/* Fills e for an exception; the message names the exception and quotes the upstream text
 * (sanitised to valid UTF-8 and shortened at a character boundary to fit). Returns -1. */
int upstream_exception_to_error(api_error *e, const char *exception_type, const char *message);

#endif
