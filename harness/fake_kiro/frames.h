/* frames.h: turns a planned reply into the event-stream frames Kiro would send, one at a time.
 *
 * Order: assistantResponseEvent {"content"} frames of at most frame_bytes bytes each (never
 * splitting a UTF-8 character); for a tool call, toolUseEvent {"name","toolUseId","input"}
 * frames carrying ~8-byte fragments of the argument JSON, then {"name","toolUseId","stop":true};
 * then meteringEvent, contextUsageEvent and (optionally) the usage event: metadataEvent (or the
 * name configured, e.g. messageMetadataEvent) {"tokenUsage":{"uncachedInputTokens",
 * "outputTokens","totalTokens","cacheReadInputTokens","cacheWriteInputTokens",
 * "contextUsagePercentage"},"stopReason"?}, the shape of the real service's wire schema.
 * Frames are produced lazily, so a multi-megabyte reply never exists as frames all at once. */
#ifndef FAKE_KIRO_FRAMES_H
#define FAKE_KIRO_FRAMES_H

#include <stddef.h>

#include "reply_plan.h"
#include "util/buf.h"

#define FK_TOOL_FRAGMENT_BYTES 8
/* Context window the contextUsagePercentage is computed against (tokens ~ bytes / 4). */
#define FK_CONTEXT_TOKENS 200000

typedef enum fk_frame_phase {
    FK_PHASE_TEXT,
    FK_PHASE_TOOL_INPUT,
    FK_PHASE_TOOL_STOP,
    FK_PHASE_METERING,
    FK_PHASE_CONTEXT,
    FK_PHASE_METADATA,
    FK_PHASE_DONE
} fk_frame_phase;

/* What the usage events report; the strings are borrowed and must outlive the generator. */
typedef struct fk_frames_usage {
    int metadata;            /* send the usage event */
    const char *event_name;  /* NULL or "" = metadataEvent */
    long cache_read_tokens;  /* part of the input served from the prompt cache */
    long cache_write_tokens; /* part of the input written to it */
    long context_percent;    /* contextUsagePercentage, 0 = from the request size */
    const char *stop_reason; /* stopReason of the usage event, NULL or "" = none */
} fk_frames_usage;

typedef struct fk_frames {
    const fk_reply *reply; /* borrowed; must outlive the generator */
    size_t frame_bytes;
    size_t request_bytes; /* body size, for the usage events */
    fk_frames_usage usage;
    fk_frame_phase phase;
    size_t text_pos;
    size_t input_pos;
} fk_frames;

/* usage NULL: no usage event, the context computed from the request size. */
void fk_frames_init(fk_frames *f, const fk_reply *reply, size_t frame_bytes, size_t request_bytes,
                    const fk_frames_usage *usage);
/* Appends the next frame to out. Returns 1 when a frame was appended, 0 when the stream is
 * complete, -1 on error (out of memory, buffer cap). */
int fk_frames_next(fk_frames *f, kbuf *out);
/* 1 while the next frame is text or tool use (the "content" part of the stream). */
int fk_frames_in_content(const fk_frames *f);
/* Input tokens the usage events report for a body of this size (at least 1). */
long fk_frames_input_tokens(size_t request_bytes);
/* The contextUsagePercentage the stream reports. */
double fk_frames_context_percent(const fk_frames *f);

#endif
