/* line_queue.h: the bounded buffer between the child and one destination, with drop accounting.
 *
 * Holds whole records (see line_splitter.h) as the exact bytes to write, in a ring of at most
 * capacity bytes, plus a small record table so that every record is accounted for when it has
 * been completely written (forwarded) or given up (dropped). Policy, chosen so that the relay
 * never blocks and every loss is counted and visible:
 *   - a record that does not fit is dropped whole (never torn) and counted; this starts a gap;
 *   - during a gap, newer records are dropped too until the queue has drained to half its
 *     capacity (so that a slowly draining destination gets one gap, not one per freed page);
 *   - the gap is then closed by the line "logrelay: dropped N lines (M bytes)", written exactly
 *     where the lines went missing, before any later line;
 *   - once the destination is gone (EPIPE), everything queued and everything later is dropped.
 * Memory: capacity bytes for the ring (allocated once) plus a record table that grows on demand
 * to at most capacity / 16 entries (a full table counts as full, like the ring). */
#ifndef LOGRELAY_LINE_QUEUE_H
#define LOGRELAY_LINE_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "relay_stats.h"

/* The smallest capacity accepted: room for a gap marker and a few lines. */
#define LINE_QUEUE_MIN_CAPACITY 4096

struct queued_record {
    uint32_t out_bytes;     /* bytes in the ring, including the newline and any marks */
    uint32_t payload_bytes; /* of which came from the child */
    uint8_t stream;
    uint8_t is_marker;      /* a gap marker: counted in gap_markers, not in any stream */
};

struct line_queue {
    char *ring;
    size_t capacity, head, used;       /* bytes: the oldest unwritten byte is ring[head] */
    struct queued_record *records;     /* circular too */
    size_t record_alloc, record_limit, record_head, record_count;
    size_t head_written;               /* bytes of the oldest record already written */
    int in_gap, gone;
    uint64_t gap_lines, gap_bytes;     /* the current gap */
    struct relay_stats *stats;         /* not owned: per-stream counters and gap_markers */
};

/* capacity is raised to LINE_QUEUE_MIN_CAPACITY if smaller. Returns 0, or -1 (out of memory). */
int line_queue_init(struct line_queue *q, size_t capacity, struct relay_stats *stats);
void line_queue_free(struct line_queue *q);

/* Largest line content that can always be queued once the queue has drained to its low mark:
 * callers cut longer lines (LINE_SPLITTER) to at most this. */
size_t line_queue_max_piece(const struct line_queue *q);

/* Queues one record (parts concatenated) or drops it, counting either way.
 * Returns 1 when queued, 0 when dropped. */
int line_queue_push(struct line_queue *q, int stream, const struct iovec *parts, int part_count,
                    size_t payload_bytes);

/* The oldest unwritten bytes as up to two contiguous segments, at most max_bytes in total.
 * Returns the total (0 when empty). */
size_t line_queue_peek(const struct line_queue *q, struct iovec segments[2], size_t max_bytes);

/* How many of the oldest unwritten bytes end on a record boundary without exceeding limit
 * (the rest of a partly written record counts as one record). 0 when the first does not fit. */
size_t line_queue_bytes_of_whole_records(const struct line_queue *q, size_t limit);

/* The unwritten bytes of the oldest record (0 when empty). */
size_t line_queue_first_record_bytes(const struct line_queue *q);

/* n bytes from the front have been written: completes and counts forwarded records, and writes
 * the gap marker when the queue has drained enough. */
void line_queue_consume(struct line_queue *q, size_t n);

/* Closes the current gap if the queue has drained enough (consume does this too). */
void line_queue_close_gap(struct line_queue *q);

/* Counts everything still queued as dropped and empties the queue (flush deadline passed). */
void line_queue_drop_all(struct line_queue *q);

/* The destination is gone: drop_all, and every later push is dropped. */
void line_queue_set_gone(struct line_queue *q);

static inline size_t line_queue_used(const struct line_queue *q)
{
    return q->used;
}

static inline int line_queue_in_gap(const struct line_queue *q)
{
    return q->in_gap;
}

#endif
