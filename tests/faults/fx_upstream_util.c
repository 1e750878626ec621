/* fx_upstream_util.c: shared steps of the upstream, token and frame cases; see
 * fx_upstream_util.h. */
#include "fx_upstream_util.h"

#include <stdlib.h>

#include "fx_account.h"
#include "fx_finish.h"
#include "fx_probe.h"

int fx_start_drained(fx_run *run, fx_stack *s, const char *const *fake_args,
                     const char *const *proxy_args, const char *credentials_json)
{
    fx_stack_opts o = {.proxy = run->build, .fake_args = fake_args, .proxy_args = proxy_args,
                       .credentials_json = credentials_json, .sink = FX_SINK_PIPE,
                       .reader = FX_READ_DRAIN};
    char err[256] = "";
    if (FX_CHECK(run, fx_stack_start(s, &o, err, sizeof err) == 0, "the stack starts (%s)", err))
        return 1;
    fx_stack_free(s);
    return 0;
}

int fx_request_while_probing(fx_run *run, fx_stack *s, int stream, int timeout_ms, fx_bg *bg)
{
    char *body = fx_messages_body(stream, FX_PROMPT);
    int started = fx_bg_start(bg, s, "/v1/messages", fx_api_headers, body, timeout_ms) == 0;
    free(body);
    FX_CHECK(run, started, "the request starts");
    fx_probe_phase(run, s, "meanwhile", 1);
    int overlapped = !fx_bg_done(bg);
    fx_bg_join(bg);
    return overlapped;
}

void fx_end_drained(fx_run *run, fx_stack *s)
{
    fx_account_verify(run, s, FX_ACCOUNT_PIPE, 0);
    fx_finish(run, s, FX_EXIT_GRACE_MS);
}
