/* log_callers.h: internal to proxy/log: what the async logger keeps per calling thread.
 *
 * Every thread that logs gets one block (on its first call): the counters of its own calls
 * (lines and bytes logged, dropped, truncated) and an "inside" flag raised while it touches
 * the logger's queue. The thread is the only writer of its block, so counting costs it plain
 * stores and no cache line is shared between two logging threads; readers (statistics, gap
 * lines) add up the blocks. When a thread exits, its counts are folded into a retired total
 * and its block is kept for the next new thread.
 *
 * The inside flag is how log_stop() knows that no caller still uses a session it is about to
 * retire: a caller raises the flag (a full barrier) before it loads the session pointer, and
 * log_stop() clears the pointer before it waits for every raised flag to fall.
 *
 * Counters are absolute since the process started; log_start() takes a baseline
 * (log_callers_sum) and statistics report the difference. */
#ifndef KIRO_LOG_CALLERS_H
#define KIRO_LOG_CALLERS_H

#include <stdatomic.h>
#include <stdint.h>

typedef enum {
    CALLER_LINES_LOGGED,
    CALLER_BYTES_LOGGED,
    CALLER_LINES_DROPPED, /* every line a caller dropped (queue full, no session, sink gone) */
    CALLER_BYTES_DROPPED,
    CALLER_LINES_OVERFLOW, /* of those, the ones dropped because the queue was full: they are */
    CALLER_BYTES_OVERFLOW, /* the ones a gap line announces */
    CALLER_LINES_TRUNCATED,
    CALLER_DRAIN_WAKEUPS,
    CALLER_COUNTERS
} log_caller_counter;

typedef struct log_caller_sums {
    uint64_t value[CALLER_COUNTERS];
} log_caller_sums;

typedef struct log_caller {
    _Atomic uint64_t count[CALLER_COUNTERS]; /* written only by the owning thread */
    _Atomic int inside;
    struct log_caller *prev, *next; /* the registry's list, under its lock */
} log_caller;

/* The calling thread's block, or NULL before its first call. */
extern _Thread_local log_caller *log_caller_current;

/* Registers the calling thread (the registry lock, once per thread). Returns NULL only when no
 * block can be allocated. */
log_caller *log_caller_register(void);

/* The calling thread's block, registering it on first use. */
static inline log_caller *log_caller_self(void)
{
    log_caller *c = log_caller_current;
    return c ? c : log_caller_register();
}

/* Adds n to one of the calling thread's own counters. Release: log_callers_sum() reads the
 * counters in reverse order of this enum, so a count it sees implies the counts the caller
 * raised before it (a dropped line was logged first), and statistics never go negative. */
static inline void log_caller_add(log_caller *c, log_caller_counter which, uint64_t n)
{
    atomic_store_explicit(&c->count[which],
                          atomic_load_explicit(&c->count[which], memory_order_relaxed) + n,
                          memory_order_release);
}

/* Raises the inside flag; a full barrier, so that loads after it see a session pointer no older
 * than the one log_stop() cleared before looking at the flags. */
static inline void log_caller_enter(log_caller *c)
{
    atomic_exchange_explicit(&c->inside, 1, memory_order_seq_cst);
}

/* Lowers it; everything the caller did in the queue happens before a log_stop() that sees it
 * lowered. */
static inline void log_caller_leave(log_caller *c)
{
    atomic_store_explicit(&c->inside, 0, memory_order_release);
}

/* A line logged by a thread that could not get a block (out of memory): counted logged and
 * dropped in shared counters instead. */
void log_callers_count_orphan(uint64_t bytes);

/* Sums every block (live and retired) and the orphans. Returns 0, or -1 when try_only is set and
 * the registry was busy (callers use that form: it never waits). */
int log_callers_sum(log_caller_sums *out, int try_only);

/* Waits until no thread is inside (bounded by deadline_ms on the monotonic clock). Returns 1
 * when none is, 0 on timeout. */
int log_callers_wait_outside(int64_t deadline_ms);

#endif
