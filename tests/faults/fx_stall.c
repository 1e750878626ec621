/* fx_stall.c: filling the proxy's log pipe with the field trigger; see fx_stall.h. */
#include "fx_stall.h"

#include <stdlib.h>
#include <string.h>

#define TRIGGER_TEXT_BYTES (256 * 1024)
#define TRIGGER_TIMEOUT_MS 8000
#define FULL_WITHIN_MS 10000

const char *const fx_stall_proxy_args[] = {"--log-level", "debug", "--log-queue-bytes", "1048576",
                                           NULL};
const char *const fx_stall_proxy_args_flush500[] = {"--log-level", "debug", "--log-queue-bytes",
                                                    "1048576", "--log-flush-ms", "500", NULL};

static int pipe_full(void *arg)
{
    return fx_logpipe_full(arg);
}

int fx_stall_fill(fx_run *run, fx_stack *s, fx_bg *trigger)
{
    memset(trigger, 0, sizeof *trigger);
    char *body = fx_large_messages_body(1, TRIGGER_TEXT_BYTES);
    int started = body && fx_bg_start(trigger, s, "/v1/messages", fx_api_headers, body,
                                      TRIGGER_TIMEOUT_MS) == 0;
    free(body);
    FX_CHECK(run, started, "the trigger request starts");
    int full = started && fx_poll_until(FULL_WITHIN_MS, 10, pipe_full, s->log);
    FX_CHECK(run, full, "the log pipe fills (pending %ld of %d bytes)", fx_logpipe_pending(s->log),
             fx_logpipe_capacity(s->log));
    if (full)
        fx_note(run, "pipe full (%ld of %d bytes)", fx_logpipe_pending(s->log),
                fx_logpipe_capacity(s->log));
    return full;
}

void fx_stall_end(fx_run *run, fx_bg *trigger)
{
    fx_bg_join(trigger);
    FX_CHECK(run, trigger->rc == 0 && trigger->resp.status == 200,
             "the trigger request itself is answered 200 (status %ld, %lld ms, curl code %d)",
             trigger->resp.status, trigger->elapsed_ms, trigger->resp.curl_code);
    fx_bg_free(trigger);
}
