/* fx_upstream_util.h: steps the upstream, token and frame cases share: start a stack with a
 * draining log reader, run a /v1/messages in the background while probing, and close the case
 * with the log books and the exit check. */
#ifndef FX_UPSTREAM_UTIL_H
#define FX_UPSTREAM_UTIL_H

#include "fx_check.h"
#include "fx_http.h"
#include "fx_stack.h"

/* The prompt of every plain request, and what fake-kiro answers to it. */
#define FX_PROMPT "fault matrix: say hello"
#define FX_ECHO "Hello from fake-kiro. You said: " FX_PROMPT

/* Starts fake-kiro (fake_args) and run->build (proxy_args) with a draining log reader.
 * Returns 1, or records the failure and returns 0. */
int fx_start_drained(fx_run *run, fx_stack *s, const char *const *fake_args,
                     const char *const *proxy_args, const char *credentials_json);

/* POST /v1/messages (stream or not) in the background, one probe phase while it runs, then
 * joins it into bg (caller frees). Returns 1 when the request was still running after the
 * probes (the probes overlapped it). */
int fx_request_while_probing(fx_run *run, fx_stack *s, int stream, int timeout_ms, fx_bg *bg);

/* Log books (no drops expected) and the SIGTERM exit check; frees the stack. */
void fx_end_drained(fx_run *run, fx_stack *s);

#endif
