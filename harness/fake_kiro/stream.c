/* stream.c: paced frame delivery and stream faults for one response; see stream.h. */
#include "stream.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventstream/eventstream.h"

/* Frames are small; a multi-megabyte cap only guards against a runaway generator. */
#define PENDING_CAP (4u * 1024u * 1024u)

fk_stream *fk_stream_new(fk_reply *reply, const fk_assistant_settings *settings,
                         size_t request_bytes, const fk_shutdown *shutdown, int client_fd)
{
    fk_stream *s = calloc(1, sizeof *s);
    if (!s) {
        fk_reply_free(reply);
        return NULL;
    }
    s->reply = *reply;
    memset(reply, 0, sizeof *reply);
    snprintf(s->metadata_event, sizeof s->metadata_event, "%s", settings->metadata_event);
    snprintf(s->stop_reason, sizeof s->stop_reason, "%s", settings->stop_reason);
    fk_frames_usage usage = {
        .metadata = settings->metadata || settings->cache_read_tokens > 0 ||
                    settings->cache_write_tokens > 0 || settings->stop_reason[0],
        .event_name = s->metadata_event,
        .cache_read_tokens = settings->cache_read_tokens,
        .cache_write_tokens = settings->cache_write_tokens,
        .context_percent = settings->context_usage,
        .stop_reason = s->stop_reason,
    };
    fk_frames_init(&s->frames, &s->reply, (size_t)settings->frame_bytes, request_bytes, &usage);
    if (settings->faulted) {
        s->slow_ms = settings->slow_ms;
        s->truncate = settings->truncate;
        s->malformed = settings->malformed;
        snprintf(s->exception, sizeof s->exception, "%s", settings->exception);
    }
    s->shutdown = shutdown;
    s->client_fd = client_fd;
    kbuf_init(&s->pending, PENDING_CAP);
    return s;
}

void fk_stream_free(fk_stream *s)
{
    if (!s)
        return;
    fk_reply_free(&s->reply);
    kbuf_free(&s->pending);
    free(s);
}

static int has_stream_fault(const fk_stream *s)
{
    return s->truncate || s->malformed || s->exception[0] != '\0';
}

static const char *exception_message(const char *type)
{
    if (strcmp(type, "ContentLengthExceededException") == 0)
        return "Input is too long.";
    if (strcmp(type, "ThrottlingException") == 0)
        return "Too many requests, please wait before trying again.";
    return "fake-kiro injected exception";
}

static int exception_frame(fk_stream *s)
{
    cJSON *payload = cJSON_CreateObject();
    if (!cJSON_AddStringToObject(payload, "message", exception_message(s->exception))) {
        cJSON_Delete(payload);
        return -1;
    }
    char *json = cJSON_PrintUnformatted(payload);
    cJSON_Delete(payload);
    if (!json)
        return -1;
    int rc = es_encode_event(&s->pending, "exception", s->exception, json, strlen(json));
    cJSON_free(json);
    return rc == 0 ? 1 : -1;
}

/* Fills pending with the faulty frame. Returns 1, or -1 on error. */
static int inject_fault(fk_stream *s)
{
    s->fault_done = 1;
    if (s->exception[0] && !s->truncate && !s->malformed) {
        s->end_after_pending = 1;
        return exception_frame(s);
    }
    if (fk_frames_next(&s->frames, &s->pending) != 1)
        return -1; /* there is always a metering frame left at this point */
    if (s->truncate) {
        s->pending.len = s->pending.len / 2;
        s->cut_after_pending = 1;
    } else {
        s->pending.data[s->pending.len - 1] ^= 0x5A; /* the message CRC's last byte */
        s->end_after_pending = 1;
    }
    return 1;
}

static int fault_is_due(const fk_stream *s)
{
    return !s->fault_done && has_stream_fault(s) &&
           (s->frames_sent >= FK_FAULT_AFTER_FRAMES || !fk_frames_in_content(&s->frames));
}

/* Puts the next frame in pending. Returns 1, 0 at the clean end, -1 to cut the connection. */
static int next_frame(fk_stream *s)
{
    kbuf_reset(&s->pending);
    s->pending_pos = 0;
    if (s->frames_sent > 0 && s->slow_ms > 0) {
        if (fk_wait(s->shutdown, s->client_fd, s->slow_ms) != FK_WAIT_ELAPSED)
            return -1;
    } else if (fk_shutdown_requested(s->shutdown)) {
        return -1;
    }
    int rc = fault_is_due(s) ? inject_fault(s) : fk_frames_next(&s->frames, &s->pending);
    if (rc == 1)
        s->frames_sent++;
    return rc;
}

ssize_t fk_stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    fk_stream *s = cls;
    (void)pos;
    if (s->pending_pos >= s->pending.len) {
        if (s->end_after_pending)
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (s->cut_after_pending) {
            s->cut = 1;
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        int rc = next_frame(s);
        if (rc == 0)
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (rc < 0)
            return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    size_t n = s->pending.len - s->pending_pos;
    if (n > max)
        n = max;
    memcpy(buf, s->pending.data + s->pending_pos, n);
    s->pending_pos += n;
    return (ssize_t)n;
}

fk_stream_outcome fk_stream_outcome_of(const fk_stream *s, int completed_ok)
{
    if (s->cut)
        return FK_STREAM_CUT;
    return completed_ok ? FK_STREAM_COMPLETED : FK_STREAM_ABORTED;
}
