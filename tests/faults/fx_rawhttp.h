/* fx_rawhttp.h: HTTP/1.1 on a plain socket, for the moments libcurl cannot give a case: hang up
 * in the middle of a streamed response, or hold a request between its head and its body (the
 * proxy logs a request's access line on the head and answers after the body). */
#ifndef FX_RAWHTTP_H
#define FX_RAWHTTP_H

#include <stddef.h>

#include "fx_stack.h"

/* Connects to the proxy, POSTs body to path with the API key, and reads until needle appears
 * in the response or timeout_ms passes (needle NULL: returns once the request is sent).
 * Returns the connected socket (the caller closes it), or -1. The bytes seen so far go to got
 * (NUL-terminated, truncated to size). */
int fx_rawstream_open(fx_stack *s, const char *path, const char *body, const char *needle,
                      int timeout_ms, char *got, size_t size);

/* GET path with the header line extra (may be NULL) and a one-byte body: sends the head,
 * polls between(arg) until it holds, then sends the body and reads the whole answer
 * (Connection: close), all within timeout_ms. Returns the status (0 when none) and the body
 * (malloc'd, NUL-terminated) in *body. */
int fx_raw_get_split(fx_stack *s, const char *path, const char *extra, int (*between)(void *),
                     void *arg, int timeout_ms, char **body);

#endif
