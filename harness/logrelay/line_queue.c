/* line_queue.c: ring buffer of records with forwarded/dropped accounting; see the header. */
#include "line_queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MARKER_MAX = 96, RECORD_TABLE_START = 256, BYTES_PER_RECORD_SLOT = 16 };

int line_queue_init(struct line_queue *q, size_t capacity, struct relay_stats *stats)
{
    memset(q, 0, sizeof *q);
    if (capacity < LINE_QUEUE_MIN_CAPACITY)
        capacity = LINE_QUEUE_MIN_CAPACITY;
    q->ring = malloc(capacity); /* untouched pages cost no memory until used */
    if (!q->ring)
        return -1;
    q->capacity = capacity;
    q->record_limit = capacity / BYTES_PER_RECORD_SLOT;
    q->stats = stats;
    return 0;
}

void line_queue_free(struct line_queue *q)
{
    free(q->ring);
    free(q->records);
    memset(q, 0, sizeof *q);
}

size_t line_queue_max_piece(const struct line_queue *q)
{
    /* Fits in the free half at the low mark, next to the gap marker and the continuation mark. */
    return q->capacity / 2 - 2 * MARKER_MAX;
}

static struct queued_record *record_at(const struct line_queue *q, size_t index)
{
    return &q->records[(q->record_head + index) % q->record_alloc];
}

/* Makes room for one more record entry; 0 on success, -1 when the table is at its limit. */
static int reserve_record_slot(struct line_queue *q)
{
    if (q->record_count < q->record_alloc)
        return 0;
    if (q->record_alloc >= q->record_limit)
        return -1;
    size_t grown = q->record_alloc ? q->record_alloc * 2 : RECORD_TABLE_START;
    if (grown > q->record_limit)
        grown = q->record_limit;
    struct queued_record *table = malloc(grown * sizeof *table);
    if (!table)
        return -1;
    for (size_t i = 0; i < q->record_count; i++)
        table[i] = *record_at(q, i);
    free(q->records);
    q->records = table;
    q->record_alloc = grown;
    q->record_head = 0;
    return 0;
}

static int has_room(struct line_queue *q, size_t bytes)
{
    return q->used + bytes <= q->capacity && reserve_record_slot(q) == 0;
}

static void ring_append(struct line_queue *q, const void *data, size_t len)
{
    size_t tail = (q->head + q->used) % q->capacity;
    size_t first = q->capacity - tail < len ? q->capacity - tail : len;
    memcpy(q->ring + tail, data, first);
    memcpy(q->ring, (const char *)data + first, len - first);
    q->used += len;
}

static void append_record(struct line_queue *q, int stream, int is_marker,
                          const struct iovec *parts, int part_count, size_t out_bytes,
                          size_t payload_bytes)
{
    for (int i = 0; i < part_count; i++)
        ring_append(q, parts[i].iov_base, parts[i].iov_len);
    *record_at(q, q->record_count) = (struct queued_record){
        .out_bytes = (uint32_t)out_bytes,
        .payload_bytes = (uint32_t)payload_bytes,
        .stream = (uint8_t)stream,
        .is_marker = (uint8_t)is_marker,
    };
    q->record_count++;
}

static void count_dropped(struct line_queue *q, int stream, size_t payload_bytes)
{
    q->stats->stream[stream].dropped_lines++;
    q->stats->stream[stream].dropped_bytes += payload_bytes;
}

void line_queue_close_gap(struct line_queue *q)
{
    if (!q->in_gap || q->gone || q->used > q->capacity / 2)
        return;
    char marker[MARKER_MAX];
    int len = snprintf(marker, sizeof marker, "logrelay: dropped %llu lines (%llu bytes)\n",
                       (unsigned long long)q->gap_lines, (unsigned long long)q->gap_bytes);
    if (len <= 0 || (size_t)len >= sizeof marker || !has_room(q, (size_t)len))
        return;
    struct iovec part = {.iov_base = marker, .iov_len = (size_t)len};
    append_record(q, 0, 1, &part, 1, (size_t)len, 0);
    q->in_gap = 0;
    q->gap_lines = q->gap_bytes = 0;
}

int line_queue_push(struct line_queue *q, int stream, const struct iovec *parts, int part_count,
                    size_t payload_bytes)
{
    size_t out_bytes = 0;
    for (int i = 0; i < part_count; i++)
        out_bytes += parts[i].iov_len;
    if (q->gone) {
        count_dropped(q, stream, payload_bytes);
        return 0;
    }
    line_queue_close_gap(q);
    if (q->in_gap || out_bytes > UINT32_MAX || !has_room(q, out_bytes)) {
        q->in_gap = 1;
        q->gap_lines++;
        q->gap_bytes += payload_bytes;
        count_dropped(q, stream, payload_bytes);
        return 0;
    }
    append_record(q, stream, 0, parts, part_count, out_bytes, payload_bytes);
    return 1;
}

size_t line_queue_peek(const struct line_queue *q, struct iovec segments[2], size_t max_bytes)
{
    size_t total = q->used < max_bytes ? q->used : max_bytes;
    size_t first = q->capacity - q->head < total ? q->capacity - q->head : total;
    segments[0] = (struct iovec){.iov_base = q->ring + q->head, .iov_len = first};
    segments[1] = (struct iovec){.iov_base = q->ring, .iov_len = total - first};
    return total;
}

size_t line_queue_bytes_of_whole_records(const struct line_queue *q, size_t limit)
{
    size_t total = 0;
    for (size_t i = 0; i < q->record_count; i++) {
        size_t bytes = record_at(q, i)->out_bytes - (i == 0 ? q->head_written : 0);
        if (total + bytes > limit)
            break;
        total += bytes;
    }
    return total;
}

size_t line_queue_first_record_bytes(const struct line_queue *q)
{
    return q->record_count > 0 ? record_at(q, 0)->out_bytes - q->head_written : 0;
}

static void pop_record(struct line_queue *q)
{
    q->record_head = (q->record_head + 1) % q->record_alloc;
    q->record_count--;
    q->head_written = 0;
}

void line_queue_consume(struct line_queue *q, size_t n)
{
    if (n > q->used)
        n = q->used;
    q->head = (q->head + n) % q->capacity;
    q->used -= n;
    while (n > 0 && q->record_count > 0) {
        struct queued_record *r = record_at(q, 0);
        size_t left = r->out_bytes - q->head_written;
        if (n < left) {
            q->head_written += n;
            break;
        }
        n -= left;
        if (r->is_marker) {
            q->stats->gap_markers++;
        } else {
            q->stats->stream[r->stream].forwarded_lines++;
            q->stats->stream[r->stream].forwarded_bytes += r->payload_bytes;
        }
        pop_record(q);
    }
    if (q->used == 0)
        q->head = 0; /* keeps writes contiguous while the destination keeps up */
    line_queue_close_gap(q);
}

void line_queue_drop_all(struct line_queue *q)
{
    while (q->record_count > 0) {
        struct queued_record *r = record_at(q, 0);
        if (!r->is_marker)
            count_dropped(q, r->stream, r->payload_bytes);
        pop_record(q);
    }
    q->head = q->used = 0;
}

void line_queue_set_gone(struct line_queue *q)
{
    line_queue_drop_all(q);
    q->gone = 1;
    q->in_gap = 0;
}
