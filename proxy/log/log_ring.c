/* log_ring.c: the bounded lock-free multi-producer, single-consumer record ring; see
 * log_ring.h for the layout and the memory-ordering rules. */
#include "log/log_ring.h"

#include <stdlib.h>
#include <string.h>

/* The packed position word: byte offset (0 .. size-1) in the low bits, record number modulo
 * 2^24 above. Offsets wrap at size, record numbers at 2^24; a ring holds at most 2^22
 * records, so differences of record numbers are unambiguous, and "records queued > 0 with
 * equal offsets" means the byte ring is exactly full. */
enum { OFFSET_BITS = 40, RECORD_BITS = 24 };
#define OFFSET_MASK (((uint64_t)1 << OFFSET_BITS) - 1)
#define RECORD_MASK (((uint32_t)1 << RECORD_BITS) - 1)

static uint64_t pack(uint64_t offset, uint32_t record)
{
    return ((uint64_t)(record & RECORD_MASK) << OFFSET_BITS) | offset;
}

static uint64_t offset_of(uint64_t word)
{
    return word & OFFSET_MASK;
}

static uint32_t record_of(uint64_t word)
{
    return (uint32_t)(word >> OFFSET_BITS) & RECORD_MASK;
}

static uint64_t advance(const log_ring *ring, uint64_t offset, uint64_t by)
{
    uint64_t next = offset + by;
    return next >= ring->size ? next - ring->size : next;
}

/* Bytes and records between two positions (from <= to in ring order). */
static void distance(const log_ring *ring, uint64_t from, uint64_t to, uint64_t *bytes,
                     uint32_t *records)
{
    *records = (record_of(to) - record_of(from)) & RECORD_MASK;
    if (*records == 0) {
        *bytes = 0;
        return;
    }
    uint64_t a = offset_of(from), b = offset_of(to);
    *bytes = b > a ? b - a : ring->size - a + b; /* equal offsets with records queued: full */
}

int log_ring_init(log_ring *ring, uint64_t bytes, uint32_t records)
{
    memset(ring, 0, sizeof *ring);
    if (bytes < 1 || bytes > LOG_RING_BYTES_MAX || records < 1 || records > LOG_RING_RECORDS_MAX)
        return -1;
    uint32_t slots = 1;
    while (slots < records)
        slots <<= 1;
    ring->size = bytes;
    ring->records_max = records;
    ring->slot_mask = slots - 1;
    ring->bytes = malloc((size_t)bytes);
    ring->slots = calloc(slots, sizeof *ring->slots);
    if (!ring->bytes || !ring->slots) {
        log_ring_destroy(ring);
        return -1;
    }
    for (uint32_t i = 0; i < slots; i++)
        atomic_init(&ring->slots[i].stamp, 0);
    atomic_init(&ring->head, 0);
    atomic_init(&ring->tail, 0);
    return 0;
}

void log_ring_destroy(log_ring *ring)
{
    free(ring->bytes);
    free(ring->slots);
    ring->bytes = NULL;
    ring->slots = NULL;
}

/* ---- producers ---- */

int log_ring_reserve(log_ring *ring, uint64_t len, log_ring_claim *claim)
{
    for (;;) {
        /* Tail first, then head, on every attempt: the consumer never releases past a head
         * that existed when it released, so a head read after the tail is never behind it.
         * Read the other way round (a head kept from an earlier load or a failed exchange),
         * the consumer may have released past that stale head meanwhile; the distance between
         * them then wraps to nearly 2^24 records and a queue with room looks full: lines were
         * dropped with the queue almost empty. Acquire: the consumer has finished reading
         * whatever it released before this. */
        uint64_t tail = atomic_load_explicit(&ring->tail, memory_order_acquire);
        uint64_t head = atomic_load_explicit(&ring->head, memory_order_seq_cst);
        uint64_t bytes;
        uint32_t records;
        distance(ring, tail, head, &bytes, &records);
        if (bytes + len > ring->size || records + 1 > ring->records_max)
            return 0;
        uint64_t next = pack(advance(ring, offset_of(head), len), record_of(head) + 1);
        /* seq_cst: the wake-up decision after it must not be reordered before it (the drain
         * thread announces that it sleeps, then looks at this word). */
        if (atomic_compare_exchange_weak_explicit(&ring->head, &head, next, memory_order_seq_cst,
                                                  memory_order_relaxed)) {
            claim->offset = offset_of(head);
            claim->record = record_of(head);
            claim->bytes_used = bytes + len;
            claim->records_used = records + 1;
            return 1;
        }
    }
}

int log_ring_has_room(log_ring *ring, uint64_t len)
{
    uint64_t tail = atomic_load_explicit(&ring->tail, memory_order_acquire);
    uint64_t head = atomic_load_explicit(&ring->head, memory_order_relaxed);
    uint64_t bytes;
    uint32_t records;
    distance(ring, tail, head, &bytes, &records);
    return bytes + len <= ring->size && records + 1 <= ring->records_max;
}

void log_ring_write(log_ring *ring, const log_ring_claim *claim, uint64_t at, const char *data,
                    size_t len)
{
    uint64_t offset = advance(ring, claim->offset, at);
    uint64_t first = ring->size - offset < len ? ring->size - offset : len;
    memcpy(ring->bytes + offset, data, (size_t)first);
    if (first < len)
        memcpy(ring->bytes, data + first, len - (size_t)first);
}

void log_ring_commit(log_ring *ring, const log_ring_claim *claim, uint32_t gap_len,
                     uint32_t line_len)
{
    log_ring_slot *slot = &ring->slots[claim->record & ring->slot_mask];
    slot->gap_len = gap_len;
    slot->line_len = line_len;
    atomic_store_explicit(&slot->stamp, claim->record + 1, memory_order_release);
}

/* ---- the consumer ---- */

void log_ring_reader_init(const log_ring *ring, log_ring_reader *reader)
{
    uint64_t tail = atomic_load_explicit(&((log_ring *)ring)->tail, memory_order_relaxed);
    reader->offset = offset_of(tail);
    reader->record = record_of(tail);
}

void log_ring_pending(log_ring *ring, const log_ring_reader *reader, uint64_t *bytes,
                      uint32_t *records)
{
    uint64_t head = atomic_load_explicit(&ring->head, memory_order_seq_cst);
    distance(ring, pack(reader->offset, reader->record), head, bytes, records);
}

size_t log_ring_peek(log_ring *ring, const log_ring_reader *reader, log_ring_record *out,
                     size_t max)
{
    size_t count = 0;
    uint32_t record = reader->record;
    while (count < max) {
        const log_ring_slot *slot = &ring->slots[record & ring->slot_mask];
        uint32_t stamp =
            atomic_load_explicit(&((log_ring_slot *)slot)->stamp, memory_order_acquire);
        if (stamp != ((record & RECORD_MASK) + 1))
            break; /* reserved but not committed yet, or not reserved */
        out[count].gap_len = slot->gap_len;
        out[count].line_len = slot->line_len;
        count++;
        record = (record + 1) & RECORD_MASK;
    }
    return count;
}

const char *log_ring_bytes_at(const log_ring *ring, const log_ring_reader *reader, uint64_t skip,
                              uint64_t want, size_t *contiguous)
{
    uint64_t offset = advance(ring, reader->offset, skip);
    uint64_t room = ring->size - offset;
    *contiguous = (size_t)(want < room ? want : room);
    return ring->bytes + offset;
}

void log_ring_release(log_ring *ring, log_ring_reader *reader, uint32_t records, uint64_t bytes)
{
    if (records == 0)
        return;
    reader->offset = advance(ring, reader->offset, bytes);
    reader->record = (reader->record + records) & RECORD_MASK;
    atomic_store_explicit(&ring->tail, pack(reader->offset, reader->record), memory_order_release);
}
