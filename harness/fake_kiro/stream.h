/* stream.h: the body of a successful generateAssistantResponse, fed to libmicrohttpd frame by
 * frame, with the stream faults applied.
 *
 * fk_stream_read is an MHD content-reader callback. In thread-per-connection mode it may block,
 * so --slow-ms simply waits between frames (watching the client socket and the stop signal, so
 * a departed client or SIGTERM ends the wait at once). After a few content frames the stream
 * faults fire; if several are on, the first of truncate, malformed, exception applies:
 *   truncate  - half of the next frame, then the connection is cut (END_WITH_ERROR);
 *   malformed - the next frame with its message CRC flipped, then a clean end;
 *   exception - a ":message-type exception" frame of the configured type, then a clean end. */
#ifndef FAKE_KIRO_STREAM_H
#define FAKE_KIRO_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "frames.h"
#include "reply_plan.h"
#include "shutdown.h"
#include "stats.h"
#include "util/buf.h"

/* Content frames sent before a stream fault fires (fewer when the reply is shorter). */
#define FK_FAULT_AFTER_FRAMES 2

typedef struct fk_stream {
    fk_reply reply;
    fk_frames frames;
    long slow_ms;
    int truncate;
    int malformed;
    char exception[128];
    char metadata_event[64]; /* borrowed by frames */
    char stop_reason[64];    /* borrowed by frames */
    const fk_shutdown *shutdown;
    int client_fd;
    kbuf pending; /* the frame being handed to MHD */
    size_t pending_pos;
    size_t frames_sent;
    int fault_done;
    int end_after_pending; /* clean end once pending is sent */
    int cut_after_pending; /* cut the connection once pending is sent */
    int cut;               /* we cut it on purpose */
} fk_stream;

/* Takes ownership of *reply (left empty). NULL when out of memory (reply then freed). */
fk_stream *fk_stream_new(fk_reply *reply, const fk_assistant_settings *settings,
                         size_t request_bytes, const fk_shutdown *shutdown, int client_fd);
void fk_stream_free(fk_stream *s);
/* MHD_ContentReaderCallback. */
ssize_t fk_stream_read(void *cls, uint64_t pos, char *buf, size_t max);
/* How the stream ended, given whether MHD reported the request completed normally. */
fk_stream_outcome fk_stream_outcome_of(const fk_stream *s, int completed_ok);

#endif
