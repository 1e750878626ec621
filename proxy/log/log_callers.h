/* log_callers.h: internal to proxy/log: what the async logger keeps per calling thread.
 *
 * Every thread that logs gets one block (on its first call): the counters of its own calls
 * (lines and bytes logged, dropped, truncated) and an "inside" flag raised while it touches
 * the logger's queue. The thread is the only writer of its block, so counting costs it plain
 * stores and no cache line is shared between two logging threads; readers (statistics, gap
 * lines) add up the blocks.
 *
 * The registry takes no lock and makes no system call, not even on a thread's first call:
 * blocks live in one list that only grows (a block is pushed with a compare-and-swap and is
 * never unlinked or freed), the first ones come from a static array (no malloc, so a thread's
 * first log call does not make glibc map an arena for it), and the thread-exit hook is set up
 * by log_start(). When a thread exits its block is marked free and the next new thread claims
 * it (compare-and-swap) and goes on counting in it: counters are absolute and never move, so a
 * sum of all blocks is exact at any moment without folding anything.
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

/* A cache line (or more) per block: never two threads on one line. */
typedef struct log_caller {
    _Alignas(64) _Atomic uint64_t count[CALLER_COUNTERS]; /* written only by the owner */
    _Atomic int inside;
    _Atomic int owned;       /* 1 while a live thread counts in it */
    struct log_caller *next; /* the registry's list; fixed once the block is in it */
} log_caller;

/* The calling thread's block, or NULL before its first call. */
extern _Thread_local log_caller *log_caller_current;

/* Registers the calling thread (once per thread; no lock, no system call while the static
 * blocks last or a free one is found). Returns NULL only when no block can be allocated. */
log_caller *log_caller_register(void);

/* Sets up the thread-exit hook that frees a thread's block; log_start() calls it, so that no
 * caller runs the one-time setup (pthread_once wakes its waiters with a futex call). */
void log_callers_prepare(void);

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

/* Sums every block and the orphans. Never waits (the registry has no lock). */
void log_callers_sum(log_caller_sums *out);

/* Waits until no thread is inside (bounded by deadline_ms on the monotonic clock). Returns 1
 * when none is, 0 on timeout. */
int log_callers_wait_outside(int64_t deadline_ms);

#endif
