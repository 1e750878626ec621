/* frames.h: turns a planned reply into the event-stream frames Kiro would send, one at a time.
 *
 * Order: assistantResponseEvent {"content"} frames of at most frame_bytes bytes each (never
 * splitting a UTF-8 character); for a tool call, toolUseEvent {"name","toolUseId","input"}
 * frames carrying ~8-byte fragments of the argument JSON, then {"name","toolUseId","stop":true};
 * then meteringEvent, contextUsageEvent and (optionally) metadataEvent. Frames are produced
 * lazily, so a multi-megabyte reply never exists as frames all at once. */
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

typedef struct fk_frames {
    const fk_reply *reply; /* borrowed; must outlive the generator */
    size_t frame_bytes;
    size_t request_bytes; /* body size, for the usage events */
    int metadata;
    fk_frame_phase phase;
    size_t text_pos;
    size_t input_pos;
} fk_frames;

void fk_frames_init(fk_frames *f, const fk_reply *reply, size_t frame_bytes, size_t request_bytes,
                    int metadata);
/* Appends the next frame to out. Returns 1 when a frame was appended, 0 when the stream is
 * complete, -1 on error (out of memory, buffer cap). */
int fk_frames_next(fk_frames *f, kbuf *out);
/* 1 while the next frame is text or tool use (the "content" part of the stream). */
int fk_frames_in_content(const fk_frames *f);
/* Input tokens the usage events report for a body of this size (at least 1). */
long fk_frames_input_tokens(size_t request_bytes);

#endif
