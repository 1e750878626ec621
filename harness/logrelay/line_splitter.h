/* line_splitter.h: cuts one child stream into records (whole lines, or pieces of long lines).
 *
 * The child writes arbitrary byte chunks; logrelay forwards and drops whole lines only, so the
 * chunks are cut at newlines first. A line whose content (without its newline) exceeds the
 * piece limit is cut into pieces of exactly the limit: every piece but the last ends with
 * LINE_SPLITTER_CONTINUES_MARK and a newline, so each piece is a line of its own and the cut is
 * visible. At EOF a final line without newline is completed with one. A line is never fatal,
 * whatever its length: the launcher in the field stopped reading at the first line over 64 KiB.
 *
 * Memory: the only allocation is the pending partial line, at most piece_limit bytes. Lines that
 * lie wholly inside one chunk are handed on without copying. */
#ifndef LOGRELAY_LINE_SPLITTER_H
#define LOGRELAY_LINE_SPLITTER_H

#include <stddef.h>
#include <sys/uio.h>

#include "relay_stats.h"

#define LINE_SPLITTER_CONTINUES_MARK " [logrelay: line continues]"

/* Receives one record: its output bytes as up to 3 parts (the caller copies them before
 * returning) and how many of those bytes are the child's own (payload_bytes). */
typedef void line_record_fn(void *context, int stream, const struct iovec *parts, int part_count,
                            size_t payload_bytes);

struct line_splitter {
    int stream;
    size_t piece_limit;     /* longest line content forwarded in one piece */
    char *partial;          /* content of the line being assembled (no newline yet) */
    size_t partial_len;
    size_t partial_alloc;
    int in_split_line;      /* a piece of the current line has been emitted */
    line_record_fn *emit;
    void *emit_context;
    struct stream_counters *counters; /* received_* and split_lines are counted here */
};

/* piece_limit must be at least 1. counters is not owned. Never fails. */
void line_splitter_init(struct line_splitter *s, int stream, size_t piece_limit,
                        line_record_fn *emit, void *emit_context, struct stream_counters *counters);
void line_splitter_free(struct line_splitter *s);

/* Feeds bytes read from the child. Returns 0, or -1 when memory for the partial line could not
 * be had (the bytes held so far are then emitted as a piece, so nothing is lost silently). */
int line_splitter_feed(struct line_splitter *s, const char *data, size_t len);

/* The stream has ended: a pending partial line is emitted with a newline added. */
void line_splitter_finish(struct line_splitter *s);

#endif
