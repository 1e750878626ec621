/* log_ring.h: internal to proxy/log: the async logger's queue, a bounded lock-free ring of
 * records with many producers (the threads that log) and one consumer (the drain thread).
 *
 * Why lock-free: with a lock, a caller that is preempted while holding it makes every other
 * caller wait (spin, then yield: a system call) for a whole scheduler slice; on 2 cores with a
 * drain thread and a reader competing for them, that is what made a contended log call twice
 * the cost of formatting its line. Here no caller ever waits for another: a reservation is one
 * compare-and-swap, and a caller preempted between reserving and committing only keeps the
 * consumer from passing its record, never another producer from reserving behind it.
 *
 * A record is the bytes of one log line, optionally preceded by a gap line ("dropped N lines"),
 * in a byte ring of exactly `bytes` bytes, plus one slot (its lengths and a commit stamp) in a
 * slot array. Both bounds are reserved together in one 64-bit word - the byte offset of the
 * next record (40 bits) and its record number modulo 2^24 (24 bits) - so a reservation either
 * gets its bytes and its record or nothing: at most `bytes` bytes and `records` records are
 * ever queued, and the byte budget is all payload (no header is taken out of it).
 *
 * Ordering: records are consumed in reservation order, so the lines of one thread keep their
 * order. Producers write their bytes and slot, then publish the slot's stamp with release
 * semantics; the consumer reads a slot only after an acquire load of its stamp, and releases
 * space with a release store that producers read (acquire) before writing into it.
 *
 * Ownership: the ring owns its two arrays (log_ring_init / log_ring_destroy). */
#ifndef KIRO_LOG_RING_H
#define KIRO_LOG_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* Limits of the packed position word. */
#define LOG_RING_BYTES_MAX ((uint64_t)1 << 38)
#define LOG_RING_RECORDS_MAX ((uint32_t)1 << 22)

typedef struct log_ring_slot {
    _Atomic uint32_t stamp; /* record number (mod 2^24) + 1 once committed */
    uint32_t line_len;      /* bytes of the log line (0 for a gap line alone) */
    uint32_t gap_len;       /* bytes of the gap line before it (0 for none) */
} log_ring_slot;

/* Where a reservation landed. */
typedef struct log_ring_claim {
    uint64_t offset;     /* byte offset of the record in the ring */
    uint32_t record;     /* record number, modulo 2^24 */
    uint64_t bytes_used; /* bytes queued including this record (for the wake-up policy) */
    uint32_t records_used;
} log_ring_claim;

/* One committed record, as the consumer sees it. */
typedef struct log_ring_record {
    uint32_t gap_len, line_len;
} log_ring_record;

typedef struct log_ring {
    char *bytes;
    uint64_t size;        /* byte capacity */
    uint32_t records_max; /* most records queued at once */
    uint32_t slot_mask;   /* slots - 1; slots is a power of two >= records_max */
    log_ring_slot *slots;
    /* Producers' next position; written by compare-and-swap. Apart from the consumer's word
     * so that producers reserving do not evict the consumer's cache line and vice versa. */
    _Alignas(64) _Atomic uint64_t head;
    /* Consumer's released position: everything before it may be overwritten. */
    _Alignas(64) _Atomic uint64_t tail;
    char pad[64 - sizeof(_Atomic uint64_t)];
} log_ring;

/* Allocates a ring of bytes (1..LOG_RING_BYTES_MAX) and records (1..LOG_RING_RECORDS_MAX).
 * Returns 0 or -1 (allocation failed, or a bound out of range). */
int log_ring_init(log_ring *ring, uint64_t bytes, uint32_t records);

/* Frees the arrays. No producer or consumer may use the ring any more. */
void log_ring_destroy(log_ring *ring);

/* ---- producers (any thread) ---- */

/* Reserves len bytes (>= 1) and one record. Returns 1 with *claim filled, or 0 when either
 * bound would be passed (nothing is reserved then). Never waits. */
int log_ring_reserve(log_ring *ring, uint64_t len, log_ring_claim *claim);

/* 1 when len bytes and one record would fit now (a hint: log_ring_reserve decides). Lets a
 * caller skip work for a line that is going to be dropped anyway. */
int log_ring_has_room(log_ring *ring, uint64_t len);

/* Copies data into the reserved bytes at offset `at` from the start of the record. */
void log_ring_write(log_ring *ring, const log_ring_claim *claim, uint64_t at, const char *data,
                    size_t len);

/* Publishes the record: its bytes are gap_len bytes of gap line then line_len bytes of line,
 * and gap_len + line_len is the len it was reserved with. */
void log_ring_commit(log_ring *ring, const log_ring_claim *claim, uint32_t gap_len,
                     uint32_t line_len);

/* ---- the consumer (one thread) ---- */

/* The consumer's position: the ring's tail, plus records looked at but not released. */
typedef struct log_ring_reader {
    uint64_t offset; /* byte offset of the first unreleased record */
    uint32_t record; /* its record number (mod 2^24) */
} log_ring_reader;

void log_ring_reader_init(const log_ring *ring, log_ring_reader *reader);

/* Fills out[0..max) with the committed records from the reader's position on, in order, up to
 * the first one not committed yet. Returns how many. Does not release anything. */
size_t log_ring_peek(log_ring *ring, const log_ring_reader *reader, log_ring_record *out,
                     size_t max);

/* The bytes of the unreleased records, from byte `skip` after the reader's position: a pointer
 * into the ring and how many bytes are contiguous there (at most want; the ring wraps). */
const char *log_ring_bytes_at(const log_ring *ring, const log_ring_reader *reader, uint64_t skip,
                              uint64_t want, size_t *contiguous);

/* Bytes and records reserved after the reader's position (committed or not), read from one
 * load of the producers' word. */
void log_ring_pending(log_ring *ring, const log_ring_reader *reader, uint64_t *bytes,
                      uint32_t *records);

/* Releases the first `records` records (of `bytes` bytes together) so producers may reuse
 * their space. */
void log_ring_release(log_ring *ring, log_ring_reader *reader, uint32_t records, uint64_t bytes);

#endif
