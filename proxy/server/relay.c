/* relay.c: upstream response -> client response; see relay.h. */
#include "server/relay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventstream/eventstream.h"
#include "log/log.h"
#include "render/kiro_event.h"
#include "server/app.h"
#include "server/upstream.h"
#include "util/clock.h"

#define PUMP_SLICE_MS 500
#define DEBUG_CAPTURE_CAP (1024 * 1024)

typedef struct relay {
    app *a;
    upstream_ctx up; /* the app's, with the caller's own credential (lives as long as call) */
    kiro_request request;
    rw_format format;
    response_writer *writer;
    es_decoder *decoder;
    upstream_call *call;
    kbuf out;                 /* bytes for the client not yet handed to MHD */
    size_t out_pos;
    kbuf capture;             /* debug level: what the client received, for [KIRO_POST] */
    int finished;             /* final bytes are in out */
    int failed;
    int client_gone;
    api_error error;
    int64_t started_ms;
    int64_t last_upstream_ms;
    int64_t last_output_ms;
    long events;
    size_t upstream_bytes;
    char request_id[40];
    int streaming;
} relay;

/* The model's input limit from the catalogue (0 when unknown: the writer's default). */
static long model_context_window(model_catalog *catalog, const char *model_id)
{
    model_info info;
    return model_catalog_resolve_info(catalog, model_id, &info, NULL) == 0 ? info.max_input_tokens
                                                                          : 0;
}

static int stream_format(rw_format f)
{
    return f == RW_ANTHROPIC_SSE || f == RW_OPENAI_SSE;
}

static void relay_fail(relay *r, const api_error *err)
{
    if (r->failed || r->finished)
        return;
    r->failed = 1;
    r->error = *err;
}

static int on_message(void *user, const es_message *m)
{
    relay *r = user;
    kiro_event ev;
    kiro_event_owner *owner = NULL;
    if (kiro_event_parse(m, &ev, &owner) != 0) {
        api_error e;
        api_error_set(&e, 502, "api_error", "malformed upstream event %.60s",
                      m->event_type ? m->event_type : "(unnamed)");
        relay_fail(r, &e);
        kiro_event_release(owner);
        return 1;
    }
    r->events++;
    int rc = rw_event(r->writer, &ev, &r->out);
    kiro_event_release(owner);
    if (rc != 0) {
        relay_fail(r, rw_last_error(r->writer));
        return 1;
    }
    return 0;
}

static int on_upstream_bytes(void *user, const char *data, size_t len)
{
    relay *r = user;
    r->upstream_bytes += len;
    r->last_upstream_ms = clock_monotonic_ms();
    int rc = es_decoder_feed(r->decoder, data, len, on_message, r);
    if (rc == ES_OK)
        return 0;
    if (rc != ES_STOPPED) {
        api_error e;
        api_error_set(&e, 502, "api_error", "malformed upstream event stream: %s", es_strerror(rc));
        relay_fail(r, &e);
    }
    return -1;
}

static void relay_log_result(relay *r)
{
    int64_t ms = clock_monotonic_ms() - r->started_ms;
    if (r->failed)
        LOG_WARN("[KIRO_POST] id=%s cred=%d failed status=%d type=%s msg=%.300s events=%ld "
                 "upstream_bytes=%zu ms=%lld", r->request_id, upstream_credential_id(r->call),
                 r->error.status, r->error.type, r->error.message, r->events, r->upstream_bytes,
                 (long long)ms);
    else
        LOG_INFO("[KIRO_POST] id=%s cred=%d ok stop_reason=%s input_tokens=%ld output_tokens=%ld "
                 "events=%ld upstream_bytes=%zu ms=%lld", r->request_id,
                 upstream_credential_id(r->call), rw_stop_reason(r->writer),
                 rw_input_tokens(r->writer), rw_output_tokens(r->writer), r->events,
                 r->upstream_bytes, (long long)ms);
}

/* Closes the response: final events on success, an error event / error body on failure. */
static void relay_conclude(relay *r, upstream_status st)
{
    if (st == UPSTREAM_DONE && !r->failed) {
        int rc = es_decoder_finish(r->decoder);
        if (rc != ES_OK) {
            api_error e;
            api_error_set(&e, 502, "api_error", "the upstream stream ended inside a frame (%s)",
                          es_strerror(rc));
            relay_fail(r, &e);
        } else if (rw_finish(r->writer, &r->out) != 0) {
            relay_fail(r, rw_last_error(r->writer));
        }
    }
    if (r->failed)
        rw_fail(r->writer, &r->error, &r->out);
    r->finished = 1;
    relay_log_result(r);
}

/* One step: drive the upstream for a slice, handle its end, idle timeout and pings. */
static void relay_step(relay *r)
{
    api_error e;
    upstream_status st = upstream_pump(r->call, PUMP_SLICE_MS, &e);
    int64_t now = clock_monotonic_ms();
    switch (st) {
    case UPSTREAM_CLIENT_GONE:
        r->client_gone = 1;
        r->finished = 1;
        LOG_INFO("[KIRO_POST] id=%s client went away after %lld ms: upstream transfer aborted",
                 r->request_id, (long long)(now - r->started_ms));
        return;
    case UPSTREAM_FAILED:
        relay_fail(r, &e);
        relay_conclude(r, st);
        return;
    case UPSTREAM_ABORTED: /* the decoder or writer failed: r->error is set */
    case UPSTREAM_DONE:
        relay_conclude(r, st);
        return;
    case UPSTREAM_MORE:
        break;
    }
    if (r->failed) {
        relay_conclude(r, UPSTREAM_FAILED);
        return;
    }
    if (now - r->last_upstream_ms > r->a->cfg->idle_timeout_ms) {
        api_error_set(&e, 504, "timeout_error", "the upstream went silent for %d ms mid-response",
                      r->a->cfg->idle_timeout_ms);
        relay_fail(r, &e);
        relay_conclude(r, UPSTREAM_FAILED);
        return;
    }
    if (r->streaming && r->out.len == r->out_pos &&
        now - r->last_output_ms >= r->a->cfg->ping_interval_ms) {
        rw_ping(r->writer, &r->out);
    }
}

static void relay_free(relay *r)
{
    if (!r)
        return;
    if (r->streaming)
        atomic_fetch_sub(&r->a->metrics.streams_active, 1);
    if (r->capture.len && log_enabled(LOG_LEVEL_DEBUG))
        LOG_DEBUG("[KIRO_POST] id=%s response=%s", r->request_id, r->capture.data);
    upstream_close(r->call);
    es_decoder_free(r->decoder);
    rw_free(r->writer);
    kiro_request_free(&r->request);
    kbuf_free(&r->out);
    kbuf_free(&r->capture);
    free(r);
}

static void capture(relay *r, const char *data, size_t len)
{
    if (!log_enabled(LOG_LEVEL_DEBUG))
        return;
    size_t room = DEBUG_CAPTURE_CAP - r->capture.len;
    kbuf_append(&r->capture, data, len < room ? len : room);
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    relay *r = cls;
    for (;;) {
        size_t pending = r->out.len - r->out_pos;
        if (pending) {
            size_t n = pending < max ? pending : max;
            memcpy(buf, r->out.data + r->out_pos, n);
            capture(r, buf, n);
            r->out_pos += n;
            if (r->out_pos == r->out.len) {
                kbuf_reset(&r->out);
                r->out_pos = 0;
            }
            r->last_output_ms = clock_monotonic_ms();
            return (ssize_t)n;
        }
        if (r->client_gone)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        if (r->finished)
            return MHD_CONTENT_READER_END_OF_STREAM;
        relay_step(r);
    }
}

static void stream_free(void *cls)
{
    relay_free(cls);
}

static int client_socket(request_ctx *rq)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    return ci ? (int)ci->connect_fd : -1;
}

enum MHD_Result relay_handle(request_ctx *rq, kiro_request *request, rw_format format)
{
    app *a = rq->app;
    relay *r = calloc(1, sizeof *r);
    if (!r) {
        kiro_request_free(request);
        return respond_error_msg(rq, 500, "api_error", "out of memory");
    }
    r->a = a;
    r->request = *request;
    memset(request, 0, sizeof *request);
    r->format = format;
    r->streaming = stream_format(format);
    if (r->streaming)
        atomic_fetch_add(&a->metrics.streams_active, 1);
    snprintf(r->request_id, sizeof r->request_id, "%s", rq->request_id);
    kbuf_init(&r->out, 0);
    kbuf_init(&r->capture, DEBUG_CAPTURE_CAP);
    r->started_ms = r->last_upstream_ms = r->last_output_ms = clock_monotonic_ms();

    rw_options opts = {
        .format = format,
        .model = r->request.client_model,
        .input_tokens_estimate = r->request.input_tokens_estimate,
        .thinking = r->request.thinking,
        .tool_name_map = r->request.tool_name_map,
        .context_window = model_context_window(a->models, r->request.model_id),
    };
    r->writer = rw_new(&opts);
    r->decoder = es_decoder_new(ES_DEFAULT_MAX_FRAME);
    if (!r->writer || !r->decoder) {
        relay_free(r);
        return respond_error_msg(rq, 500, "api_error", "out of memory");
    }

    api_error err;
    upstream_request call = {
        .request = &r->request,
        .sink = on_upstream_bytes,
        .sink_user = r,
        .client_fd = client_socket(rq),
        .request_id = rq->request_id,
    };
    app_upstream_for(a, rq, &r->up);
    r->call = upstream_open(&r->up, &call, &err);
    if (!r->call) {
        r->failed = 1;
        r->error = err;
        LOG_WARN("[KIRO_POST] id=%s failed before the response: status=%d %s", rq->request_id,
                 err.status, err.message);
        relay_free(r);
        if (err.status == UPSTREAM_CLIENT_GONE_STATUS)
            return MHD_NO; /* nobody to answer */
        return respond_error(rq, &err);
    }
    r->last_upstream_ms = clock_monotonic_ms();

    if (!r->streaming) {
        while (!r->finished)
            relay_step(r);
        if (r->client_gone) {
            relay_free(r);
            return MHD_NO;
        }
        int status = r->failed ? r->error.status : 200;
        capture(r, r->out.data ? r->out.data : "", r->out.len);
        enum MHD_Result res = respond_bytes(rq, status, "application/json",
                                            r->out.data ? r->out.data : "", r->out.len);
        relay_free(r);
        return res;
    }

    rw_begin(r->writer, &r->out);
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, stream_read, r, stream_free);
    if (!resp) {
        relay_free(r);
        return respond_error_msg(rq, 500, "api_error", "cannot create the response");
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream; charset=utf-8");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    MHD_add_response_header(resp, "X-Accel-Buffering", "no");
    return respond_response(rq, 200, resp);
}
