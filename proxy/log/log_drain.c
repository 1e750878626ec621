/* log_drain.c: the async logger's drain thread; see log_drain.h. */
#include "log/log_drain.h"

#include "log/log_format.h"
#include "log/log_gap.h"
#include "log/log_session.h"
#include "log/log_sink.h"

#include "platform/platform.h"
#include "util/clock.h"

#include <errno.h>
#include <sched.h>
#include <string.h>

enum {
    DRAIN_POLL_MS = 100,      /* longest wait in poll(), so a stop request is noticed */
    DRAIN_BUSY_WAIT_MS = 1,   /* queue poll period while lines keep coming */
    DRAIN_IDLE_WAIT_MS = 100, /* ... and once the queue has been empty for a while */
    DRAIN_IDLE_ROUNDS = 20,   /* empty polls before switching to the idle period */
    UNCOMMITTED_YIELDS = 8,   /* yields for a caller finishing its copy before sleeping */
    BATCH_RECORDS = 1024,     /* records looked up at once */
    GATHER_BYTES = 16384,     /* a reader's sink: fewer bytes than this wait one poll period */
};

typedef struct drain {
    log_session *s;
    log_sink sink;
    log_ring_reader reader;
    log_ring_record batch[BATCH_RECORDS]; /* committed records from the reader's position */
    size_t count, first;                  /* batch[first..count) not released yet */
    uint64_t done;                        /* bytes of batch[first] already written */
    uint64_t ahead;                       /* bytes of batch[first..count) not written yet */
    uint32_t release_records;             /* finished since the last release */
    uint64_t release_bytes;
    log_drain_counts delta; /* counted since the last visit to the board */
    int empty_polls, uncommitted_polls;
    int gathered; /* the current batch has waited its poll period already */
} drain;

static uint64_t record_len(const log_ring_record *r)
{
    return (uint64_t)r->gap_len + r->line_len;
}

/* Looks up more committed records once the batch is used up. */
static void refill(drain *d)
{
    if (d->first < d->count)
        return;
    d->count = log_ring_peek(&d->s->ring, &d->reader, d->batch, BATCH_RECORDS);
    d->first = 0;
    d->done = 0;
    d->ahead = 0;
    d->gathered = 0;
    for (size_t i = 0; i < d->count; i++)
        d->ahead += record_len(&d->batch[i]);
}

/* batch[first] is finished (written or dropped). */
static void finish_record(drain *d)
{
    d->release_records++;
    d->release_bytes += record_len(&d->batch[d->first]);
    d->first++;
    d->done = 0;
}

/* Hands finished records' space back to the callers and the counts to the board. */
static void settle(drain *d)
{
    log_ring_release(&d->s->ring, &d->reader, d->release_records, d->release_bytes);
    d->release_records = 0;
    d->release_bytes = 0;
    log_drain_counts zero = {0};
    if (memcmp(&d->delta, &zero, sizeof zero) != 0) {
        log_board_add(d->s, &d->delta);
        d->delta = zero;
    }
}

/* n bytes from batch[first] + done reached the sink. */
static void count_written(drain *d, uint64_t n)
{
    d->ahead -= n;
    while (n > 0) {
        const log_ring_record *r = &d->batch[d->first];
        uint64_t total = record_len(r);
        uint64_t take = total - d->done < n ? total - d->done : n;
        /* The line's bytes are [gap_len, total) of the record; the gap line's are not counted. */
        uint64_t lo = d->done > r->gap_len ? d->done : r->gap_len;
        uint64_t hi = d->done + take;
        if (hi > lo)
            d->delta.bytes_written += hi - lo;
        d->done += take;
        n -= take;
        if (d->done == total) {
            if (r->gap_len > 0)
                d->delta.gap_lines++;
            if (r->line_len > 0)
                d->delta.lines_written++;
            finish_record(d);
        }
    }
}

/* Drops what is left of batch[first]: the unwritten part of its line, as one line. */
static void drop_first(drain *d)
{
    const log_ring_record *r = &d->batch[d->first];
    if (r->line_len > 0) {
        uint64_t from = d->done > r->gap_len ? d->done : r->gap_len;
        d->delta.lines_dropped++;
        d->delta.bytes_dropped += record_len(r) - from;
    }
    d->ahead -= record_len(r) - d->done;
    finish_record(d);
}

/* A write of len bytes from batch[first] + done failed for a reason that may pass (ENOSPC,
 * EIO): the lines it touched are dropped, whole, and the next ones will be tried. */
static void drop_touched(drain *d, uint64_t len)
{
    uint64_t reach = d->done + len;
    while (d->first < d->count) {
        uint64_t total = record_len(&d->batch[d->first]);
        drop_first(d);
        if (reach <= total)
            break;
        reach -= total;
    }
}

/* Drops everything committed (the sink is gone, or the flush deadline passed). */
static void drop_all_committed(drain *d)
{
    for (;;) {
        refill(d);
        if (d->first == d->count)
            break;
        while (d->first < d->count)
            drop_first(d);
        settle(d);
    }
    settle(d);
}

static int wait_budget_ms(const log_session *s)
{
    if (!atomic_load(&s->stopping))
        return DRAIN_POLL_MS;
    int64_t left = atomic_load(&s->stop_deadline_ms) - clock_monotonic_ms();
    if (left <= 0)
        return 0;
    return left < DRAIN_POLL_MS ? (int)left : DRAIN_POLL_MS;
}

/* One write of the contiguous bytes ahead. */
static void write_step(drain *d)
{
    size_t len;
    const char *data = log_ring_bytes_at(&d->s->ring, &d->reader, d->done, d->ahead, &len);
    ssize_t n = log_sink_write(&d->sink, data, len, wait_budget_ms(d->s));
    int err = errno;
    if (n > 0) {
        count_written(d, (uint64_t)n);
    } else if (n < 0 && log_sink_error_is_permanent(err)) {
        log_sink_consume_sigpipe();
        d->delta.write_errors++;
        atomic_store(&d->s->sink_gone, 1);
        drop_all_committed(d);
    } else if (n < 0) {
        d->delta.write_errors++;
        drop_touched(d, len);
    }
    settle(d);
}

/* While stopping: announce drops that no later line will announce, as soon as the queue has
 * room for the gap line (no caller can drop a line of this session any more). */
static void queue_final_gap_line(drain *d)
{
    log_session *s = d->s;
    if (!atomic_load(&s->drops_pending))
        return;
    char timestamp[LOG_TIMESTAMP_LEN + 1];
    log_format_timestamp_now(timestamp);
    log_gap gap;
    if (!log_gap_begin(s, timestamp, &gap))
        return;
    int placed = gap.len == 0;
    log_ring_claim claim;
    if (gap.len > 0 && log_ring_reserve(&s->ring, gap.len, &claim)) {
        log_ring_write(&s->ring, &claim, 0, gap.text, gap.len);
        log_ring_commit(&s->ring, &claim, (uint32_t)gap.len, 0);
        placed = 1;
    }
    log_gap_end(s, &gap, placed);
}

/* Nothing committed to write: wait for callers. */
static void wait_for_work(drain *d)
{
    log_session *s = d->s;
    uint64_t bytes;
    uint32_t records;
    log_ring_pending(&s->ring, &d->reader, &bytes, &records);
    if (records > 0) {
        /* Reserved, not committed: a caller is copying its line (or was preempted doing so).
         * Give it the CPU, then poll without asking anyone to wake us. */
        if (++d->uncommitted_polls <= UNCOMMITTED_YIELDS)
            sched_yield();
        else
            log_session_sleep(s, DRAIN_BUSY_WAIT_MS);
        return;
    }
    d->uncommitted_polls = 0;
    int wait_ms = ++d->empty_polls > DRAIN_IDLE_ROUNDS ? DRAIN_IDLE_WAIT_MS : DRAIN_BUSY_WAIT_MS;
    /* Announce the sleep, then look again: a caller that passes the wake-up threshold after
     * this store sees the flag (both sides are sequentially consistent), and one that passed
     * it before is seen here. */
    log_session_announce_sleep(s, wait_ms);
    log_ring_pending(&s->ring, &d->reader, &bytes, &records);
    if (bytes <= s->wake_bytes && records <= s->wake_records)
        log_session_sleep(s, wait_ms);
    atomic_store(&s->drain_sleeping, 0);
}

/* A sink with a reader behind it (a pipe, a socket, a terminal) wakes that reader for every
 * write. A batch of a few lines, fresh from the queue, therefore waits one poll period for
 * more before it is written: a steady trickle of lines then leaves in one write per period
 * (or per GATHER_BYTES) instead of one write, and one wake-up of the reader, per handful of
 * lines (measured: two threads of the bench's drained pipe had 100,000 such wake-ups a second
 * and used 200 ns of CPU per line between them). The sleep is announced like any other, so a
 * burst past 3/4 of the queue still wakes the drain thread at once; a line waits at most about
 * one period more. Regular files and devices (/dev/null) wake nobody and are written at once.
 * Returns 1 when it waited (the batch has been looked up again). */
static int gather(drain *d)
{
    log_session *s = d->s;
    if (d->gathered || d->sink.mode == LOG_SINK_WRITE_FREELY || d->first != 0 || d->done != 0 ||
        d->release_records != 0 || d->ahead >= GATHER_BYTES || d->count == BATCH_RECORDS ||
        atomic_load(&s->stopping) || atomic_load(&s->sink_gone))
        return 0;
    log_session_announce_sleep(s, DRAIN_BUSY_WAIT_MS);
    uint64_t bytes;
    uint32_t records;
    log_ring_pending(&s->ring, &d->reader, &bytes, &records);
    if (bytes < GATHER_BYTES && bytes <= s->wake_bytes && records <= s->wake_records)
        log_session_sleep(s, DRAIN_BUSY_WAIT_MS);
    atomic_store(&s->drain_sleeping, 0);
    d->count = 0; /* nothing of the batch is written or released: look it up again, longer */
    refill(d);
    d->gathered = 1;
    return 1;
}

static int should_exit(drain *d)
{
    log_session *s = d->s;
    if (!atomic_load(&s->stopping))
        return 0;
    if (atomic_load(&s->sink_gone) || clock_monotonic_ms() >= atomic_load(&s->stop_deadline_ms))
        return 1;
    uint64_t bytes;
    uint32_t records;
    log_ring_pending(&s->ring, &d->reader, &bytes, &records);
    return records == 0;
}

/* The drain thread is done with the session: hand it over (log_session.h). */
static void hand_over(log_session *s)
{
    if (log_session_drain_done(s) && !atomic_load(&s->callers_stuck))
        log_session_free(s); /* abandoned: ours to free */
}

void *log_drain_main(void *arg)
{
    drain d; /* about 8 KiB of the thread's stack */
    memset(&d, 0, sizeof d);
    d.s = arg;
    log_sink_block_sigpipe();
    platform_set_thread_name("log-drain");
    log_sink_open(&d.sink, d.s->fd);
    log_ring_reader_init(&d.s->ring, &d.reader);

    for (;;) {
        if (atomic_load(&d.s->stopping) && !atomic_load(&d.s->sink_gone))
            queue_final_gap_line(&d);
        if (should_exit(&d))
            break;
        refill(&d);
        if (d.first == d.count) {
            wait_for_work(&d);
            continue;
        }
        d.empty_polls = 0;
        d.uncommitted_polls = 0;
        if (gather(&d))
            continue;
        if (atomic_load(&d.s->sink_gone))
            drop_all_committed(&d);
        else
            write_step(&d);
    }
    /* Past the flush deadline (or the sink is gone): count the rest as dropped. Every record
     * is committed by now: log_stop() waited for the callers before it set stopping. */
    drop_all_committed(&d);
    log_sink_close(&d.sink);
    hand_over(d.s);
    return NULL;
}
