/* log_async.c: the logger that cannot freeze the proxy: log.h's functions for the async build.
 *
 * A caller formats its line on its own stack (log_format.c, no lock held), then, without any
 * lock, reserves room for it in a bounded lock-free ring (log_ring.c: one compare-and-swap),
 * copies it in and commits it. Its counters are its own (log_callers.c), so two threads
 * logging side by side share no cache line but the ring's reservation word. It makes no system
 * call in the common case, its first call included (log_callers.h): the drain thread is not
 * woken per line but polls the queue on a short timer while lines flow, and a caller wakes it
 * only when the queue passes three quarters of a bound while it sleeps, so that a burst cannot
 * fill the queue unseen. Three quarters, not less: two threads doing nothing but log calls
 * queue about 1.6 MB per millisecond on the 2-core bench machine, more than a quarter of the
 * default 4 MiB queue in one 1 ms poll period, and they would wake it after every idle gap;
 * the last quarter (1 MiB) is the room left for the wake-up to take effect.
 *
 * The queue is bounded in bytes (queue_bytes) and in lines (queue_lines). A line that does not
 * fit is dropped (the newest, so the lines that explain an incident survive) and counted; the
 * next line that fits carries "<ts> WARN log: dropped N lines (M bytes)" in front of it
 * (log_gap.c), so the loss is visible exactly where it happened.
 *
 * One drain thread (log_drain.c) is the only writer of the fd. log_stop() unpublishes the
 * session, waits for callers still inside it, then gives the drain thread flush_deadline_ms;
 * one atomic word decides who frees the session (log_session.h), so a drain thread that never
 * returns from a write (a stopped terminal) is left behind without a leak or a double free,
 * and log_start() can begin a new run at once. */
#include "log/log.h"
#include "log/log_callers.h"
#include "log/log_drain.h"
#include "log/log_format.h"
#include "log/log_gap.h"
#include "log/log_ring.h"
#include "log/log_session.h"

#include "util/clock.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

enum {
    STOP_MARGIN_MS = 1000,   /* how long past the flush deadline log_stop() waits */
    QUEUE_MIN_BYTES = 4096,  /* smallest queue honoured */
};

/* The session accepting lines; NULL before log_start() and from log_stop() on. */
static _Atomic(log_session *) active;

/* Serialises log_start() and log_stop() against each other. */
static pthread_mutex_t lifecycle_lock = PTHREAD_MUTEX_INITIALIZER;

/* Read without a lock on every call. */
static _Atomic int min_level = LOG_LEVEL_INFO;
static _Atomic size_t max_line_bytes = 1024 * 1024;

/* ---- public: logging ------------------------------------------------------------------ */

/* Past three quarters of a bound, a sleeping drain thread must not wait for its next poll.
 * Not when its sleep is over already: then it is runnable and only waits for a core (two
 * busy callers on a 2-core machine keep it waiting for milliseconds), and the wake-up would be
 * a system call that wakes nobody. The clock is the vDSO's: no system call either. */
static void wake_if_needed(log_session *s, log_caller *me, const log_ring_claim *claim)
{
    if (claim->bytes_used <= s->wake_bytes && claim->records_used <= s->wake_records)
        return;
    if (!atomic_load(&s->drain_sleeping))
        return;
    if (clock_monotonic_us() >= atomic_load(&s->sleep_until_us))
        return;
    if (!atomic_exchange(&s->drain_sleeping, 0))
        return;
    log_caller_add(me, CALLER_DRAIN_WAKEUPS, 1);
    log_session_wake(s); /* rare: the queue filled that far between two polls */
}

/* Queues line (after a gap line when drops are pending). Returns 0 when it does not fit. */
static int enqueue(log_session *s, log_caller *me, const log_line *line)
{
    log_gap gap;
    gap.len = 0;
    int announcing = 0;
    if (atomic_load_explicit(&s->drops_pending, memory_order_relaxed)) {
        /* Under overload most lines are dropped: do not add up the drops for one of them. */
        if (!log_ring_has_room(&s->ring, line->len))
            return 0;
        announcing = log_gap_begin(s, line->text, &gap);
    }
    log_ring_claim claim;
    if (!log_ring_reserve(&s->ring, gap.len + line->len, &claim)) {
        if (announcing)
            log_gap_end(s, &gap, 0);
        return 0;
    }
    if (gap.len > 0)
        log_ring_write(&s->ring, &claim, 0, gap.text, gap.len);
    log_ring_write(&s->ring, &claim, gap.len, line->text, line->len);
    log_ring_commit(&s->ring, &claim, (uint32_t)gap.len, (uint32_t)line->len);
    if (announcing)
        log_gap_end(s, &gap, 1);
    wake_if_needed(s, me, &claim);
    return 1;
}

void log_message(log_level level, const char *fmt, ...)
{
    if ((int)level < atomic_load_explicit(&min_level, memory_order_relaxed))
        return;

    log_line line;
    va_list ap;
    va_start(ap, fmt);
    log_line_format(&line, atomic_load_explicit(&max_line_bytes, memory_order_relaxed), level,
                    fmt, ap);
    va_end(ap);

    log_caller *me = log_caller_self();
    if (!me) {
        log_callers_count_orphan(line.len);
        log_line_release(&line);
        return;
    }
    /* Logged before queued: whoever sees the line written sees it logged. */
    log_caller_add(me, CALLER_LINES_LOGGED, 1);
    log_caller_add(me, CALLER_BYTES_LOGGED, line.len);
    if (line.truncated)
        log_caller_add(me, CALLER_LINES_TRUNCATED, 1);

    log_caller_enter(me);
    log_session *s = atomic_load(&active);
    int accepting = s && !atomic_load_explicit(&s->sink_gone, memory_order_relaxed);
    if (!accepting || !enqueue(s, me, &line)) {
        log_caller_add(me, CALLER_LINES_DROPPED, 1);
        log_caller_add(me, CALLER_BYTES_DROPPED, line.len);
        if (accepting) {
            log_caller_add(me, CALLER_LINES_OVERFLOW, 1);
            log_caller_add(me, CALLER_BYTES_OVERFLOW, line.len);
            log_gap_note_drop(s);
        }
    }
    log_caller_leave(me);
    log_line_release(&line);
}

int log_enabled(log_level level)
{
    return (int)level >= atomic_load_explicit(&min_level, memory_order_relaxed);
}

void log_set_level(log_level level)
{
    atomic_store(&min_level, (int)level);
}

/* Everything is derived from two readings: the board first (what the drain thread counted),
 * then the callers (what they logged and dropped). Callers count a line before the drain
 * thread can count it, so in this order written + dropped never exceeds logged, and queued is
 * what remains: the invariant holds by construction, at every moment. */
void log_get_stats(log_stats *out)
{
    log_board_view board;
    log_board_read(&board);
    log_caller_sums sums;
    log_callers_sum(&sums);
    const uint64_t *n = sums.value, *b = board.baseline.value;

    memset(out, 0, sizeof *out);
    out->lines_logged = n[CALLER_LINES_LOGGED] - b[CALLER_LINES_LOGGED];
    out->bytes_logged = n[CALLER_BYTES_LOGGED] - b[CALLER_BYTES_LOGGED];
    out->lines_written = board.drain.lines_written;
    out->bytes_written = board.drain.bytes_written;
    out->lines_dropped = n[CALLER_LINES_DROPPED] - b[CALLER_LINES_DROPPED] + board.drain.lines_dropped;
    out->bytes_dropped = n[CALLER_BYTES_DROPPED] - b[CALLER_BYTES_DROPPED] + board.drain.bytes_dropped;
    out->lines_queued = out->lines_logged - out->lines_written - out->lines_dropped;
    out->bytes_queued = out->bytes_logged - out->bytes_written - out->bytes_dropped;
    out->lines_truncated = n[CALLER_LINES_TRUNCATED] - b[CALLER_LINES_TRUNCATED];
    out->gap_lines = board.drain.gap_lines;
    out->write_errors = board.drain.write_errors;
    out->drain_wakeups = n[CALLER_DRAIN_WAKEUPS] - b[CALLER_DRAIN_WAKEUPS];
    out->queue_budget_bytes = board.budget_bytes;
}

const char *log_implementation(void)
{
    return "async";
}

/* ---- public: lifecycle ---------------------------------------------------------------- */

/* The async logger's own limits on top of log_config_normalize(). */
static void normalize_async(const log_config *in, log_config *out)
{
    log_config_normalize(in, out);
    if (out->queue_bytes < QUEUE_MIN_BYTES)
        out->queue_bytes = QUEUE_MIN_BYTES;
    if (out->queue_bytes > LOG_RING_BYTES_MAX)
        out->queue_bytes = (size_t)LOG_RING_BYTES_MAX;
    if (out->queue_lines > LOG_RING_RECORDS_MAX)
        out->queue_lines = LOG_RING_RECORDS_MAX;
    /* A line, with the gap line that may precede it, always fits an empty queue. */
    if (out->max_line_bytes > out->queue_bytes - LOG_GAP_LINE_MAX)
        out->max_line_bytes = out->queue_bytes - LOG_GAP_LINE_MAX;
}

int log_start(const log_config *config)
{
    log_config normalized;
    normalize_async(config, &normalized);
    if (normalized.fd < 0)
        return -1;

    log_callers_prepare(); /* the one-time setup, here rather than in a caller's first call */
    pthread_mutex_lock(&lifecycle_lock);
    log_session *s = atomic_load(&active) ? NULL : log_session_create(&normalized);
    if (!s) {
        pthread_mutex_unlock(&lifecycle_lock);
        return -1;
    }
    log_caller_sums baseline;
    log_callers_sum(&baseline);
    s->announced_lines = baseline.value[CALLER_LINES_OVERFLOW];
    s->announced_bytes = baseline.value[CALLER_BYTES_OVERFLOW];
    log_board_begin(s, &baseline, normalized.queue_bytes);
    atomic_store(&min_level, (int)normalized.min_level);
    atomic_store(&max_line_bytes, normalized.max_line_bytes);

    if (pthread_create(&s->drain, NULL, log_drain_main, s) != 0) {
        log_board_end(s);
        log_session_free(s);
        pthread_mutex_unlock(&lifecycle_lock);
        return -1;
    }
    atomic_store(&active, s); /* from here on, lines are queued */
    pthread_mutex_unlock(&lifecycle_lock);
    return 0;
}

void log_stop(void)
{
    pthread_mutex_lock(&lifecycle_lock);
    log_session *s = atomic_load(&active);
    if (!s) {
        pthread_mutex_unlock(&lifecycle_lock);
        return;
    }
    atomic_store(&active, NULL); /* from here on, lines are counted as dropped */
    const int64_t deadline_ms = clock_monotonic_ms() + s->flush_deadline_ms;
    const int64_t give_up_ms = deadline_ms + STOP_MARGIN_MS;
    atomic_store(&s->stop_deadline_ms, deadline_ms);

    /* A caller that loaded the session before it was unpublished finishes its copy first
     * (microseconds); only one suspended in the middle of a call keeps it past give_up_ms. */
    int callers_out = log_callers_wait_outside(give_up_ms);
    if (!callers_out)
        atomic_store(&s->callers_stuck, 1);
    atomic_store(&s->stopping, 1);
    log_session_wake(s);
    log_session_wait_drain(s, give_up_ms);

    pthread_t drain = s->drain;
    int abandoned = !log_session_give_up(s);
    log_board_end(s); /* only compares the pointer: s may already be freed when abandoned */
    if (abandoned) {
        /* Stuck outside our control (a stopped terminal, a hung file system): never join it.
         * What it still holds was counted as dropped; it frees the session when it wakes. */
        pthread_detach(drain);
    } else {
        pthread_join(drain, NULL); /* it has handed the session over; this cannot hang */
        if (callers_out)
            log_session_free(s);
    }
    pthread_mutex_unlock(&lifecycle_lock);
}
