/* cases_frames.c: a broken event stream after a good start: a frame with a bad CRC, a stream
 * cut inside a frame, an exception frame. A streaming client must see `event: error` and no
 * message_stop; a non-streaming client must get an error status. Never a fake success. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx_cases.h"
#include "fx_reply.h"
#include "fx_upstream_util.h"

static void frames_case(fx_run *run, const char *const *fake_args)
{
    fx_stack s;
    if (!fx_start_drained(run, &s, fake_args, NULL, NULL))
        return;
    fx_bg bg;
    fx_request_while_probing(run, &s, 1, 15000, &bg);
    fx_stream_view v;
    fx_stream_view_parse(bg.resp.body, &v);
    FX_CHECK(run, bg.resp.status == 200 && v.message_start == 0,
             "the stream starts normally (status %ld, message_start at %d)", bg.resp.status,
             v.message_start);
    FX_CHECK(run, v.error >= 0 && v.error == v.last,
             "the streaming client gets `event: error` as the last event (at %d of %d)", v.error,
             v.events);
    FX_CHECK(run, v.message_stop < 0, "and no message_stop (found at %d)", v.message_stop);
    char stream_error[64];
    snprintf(stream_error, sizeof stream_error, "%s", v.error_type[0] ? v.error_type : "none");
    fx_stream_view_free(&v);
    fx_bg_free(&bg);

    fx_request_while_probing(run, &s, 0, 15000, &bg);
    char type[64];
    int shaped = fx_error_type(bg.resp.body, type, sizeof type) == 0;
    FX_CHECK(run, bg.resp.status >= 400 && shaped,
             "the non-streaming client gets an error status with an Anthropic error (%ld: %.120s)",
             bg.resp.status, bg.resp.body ? bg.resp.body : "");
    fx_note(run, "stream: event error (%s), no message_stop; non-stream: %ld %s", stream_error,
            bg.resp.status, type[0] ? type : "-");
    fx_bg_free(&bg);
    fx_end_drained(run, &s);
}

void fx_case_frames_malformed(fx_run *run)
{
    static const char *const fake_args[] = {"--malformed", NULL};
    frames_case(run, fake_args);
}

void fx_case_frames_truncated(fx_run *run)
{
    static const char *const fake_args[] = {"--truncate", NULL};
    frames_case(run, fake_args);
}

void fx_case_frames_exception(fx_run *run)
{
    static const char *const fake_args[] = {"--exception", "ThrottlingException", NULL};
    frames_case(run, fake_args);
}
