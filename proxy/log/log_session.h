/* log_session.h: internal to proxy/log: one run of the async logger, from log_start() to the
 * end of its drain thread, and what log_async.c, log_gap.c and log_drain.c share about it.
 *
 * Ownership has one rule, decided by one atomic word (owner): the session belongs to the
 * thread that calls log_stop() unless that thread gives up waiting for the drain thread, in
 * which case it belongs to the drain thread. The drain thread, when it is done, moves the word
 * from RUNNING to EXITED (log_stop() then joins it and frees the session); log_stop(), when it
 * gives up, moves it from RUNNING to ABANDONED (the drain thread frees the session when it
 * wakes). Exactly one of the two compare-and-swaps succeeds, so exactly one side frees.
 *
 * Statistics live on a "board" (log_session.c) that outlives sessions: the counts of the drain
 * thread (written, dropped by the sink, gap lines, write errors) and the callers' baseline of
 * the current or last run. The drain thread adds to it only while its session is the board's,
 * so a drain thread that was abandoned never touches the numbers of a later run. */
#ifndef KIRO_LOG_SESSION_H
#define KIRO_LOG_SESSION_H

#include "log/log.h"
#include "log/log_callers.h"
#include "log/log_ring.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

typedef enum {
    SESSION_RUNNING,   /* the drain thread runs; log_stop() has not given up */
    SESSION_EXITED,    /* the drain thread is done: log_stop() joins it and frees the session */
    SESSION_ABANDONED, /* log_stop() gave up: the drain thread frees the session */
} session_owner;

/* What only the drain thread counts. */
typedef struct log_drain_counts {
    uint64_t lines_written, bytes_written;
    uint64_t lines_dropped, bytes_dropped; /* lost at the sink, or left queued at the deadline */
    uint64_t gap_lines;
    uint64_t write_errors;
} log_drain_counts;

typedef struct log_session {
    log_ring ring; /* first: cache-line aligned */

    /* Fixed at log_start(). */
    int fd;
    int flush_deadline_ms;
    uint64_t wake_bytes; /* past this fill a caller wakes a sleeping drain thread */
    uint32_t wake_records;
    pthread_t drain;

    _Atomic int owner; /* session_owner */
    _Atomic int stopping;
    _Atomic int64_t stop_deadline_ms;
    _Atomic int sink_gone;      /* EPIPE: every line from now on is dropped */
    _Atomic int drain_sleeping; /* between two polls, and willing to be woken */
    /* When that sleep ends by itself (clock_monotonic_us()): past it the drain thread is
     * runnable already, only waiting for a core, and a caller does not wake it. */
    _Atomic int64_t sleep_until_us;
    /* log_stop() saw a caller still inside after its whole wait (a thread suspended in the
     * middle of a log call): nobody frees the session then, rather than free it under that
     * caller. */
    _Atomic int callers_stuck;

    /* Drops waiting for a gap line (see log_gap.c). */
    _Alignas(64) _Atomic int drops_pending;
    atomic_flag announcing;
    uint64_t announced_lines, announced_bytes; /* overflow totals already announced */

    /* Sleeping and waking the drain thread, and log_stop() waiting for it. */
    pthread_mutex_t wake_lock;
    pthread_cond_t work_ready;
    pthread_cond_t drain_done;
    int wake_pending; /* under wake_lock */
} log_session;

/* The two sides of the ownership rule. Exactly one of them returns "mine" for a session,
 * whatever the order in which they run.
 *   log_session_drain_done():  the drain thread is done. Returns 1 when the session is the
 *                              drain thread's to free (log_stop() gave up on it), 0 when
 *                              log_stop() will join the thread and free it (it is woken).
 *   log_session_give_up():     log_stop() stops waiting. Returns 1 when the session is still
 *                              log_stop()'s to free (the drain thread was done: join it), 0
 *                              when the drain thread will free it (detach it). */
int log_session_drain_done(log_session *s);
int log_session_give_up(log_session *s);

/* Allocates a session for config (normalized). Returns NULL when out of memory. */
log_session *log_session_create(const log_config *config);
void log_session_free(log_session *s);

/* Wakes the drain thread (also from log_stop()). */
void log_session_wake(log_session *s);

/* The drain thread is about to sleep for at most wait_ms and may be woken meanwhile: sets
 * sleep_until_us, then drain_sleeping (in that order, so that a caller who sees the flag sees
 * this sleep's end). The drain thread lowers the flag itself when it is awake again. */
void log_session_announce_sleep(log_session *s, int wait_ms);

/* Sleeps on work_ready for at most wait_ms unless a wake-up is pending or the session is
 * stopping; consumes the wake-up. */
void log_session_sleep(log_session *s, int wait_ms);

/* Waits on drain_done (with wake_lock) until the owner word leaves RUNNING or deadline_ms. */
void log_session_wait_drain(log_session *s, int64_t deadline_ms);

/* ---- the statistics board ---- */

/* log_start(): s becomes the board's session; counts restart from zero against baseline. */
void log_board_begin(log_session *s, const log_caller_sums *baseline, size_t budget_bytes);

/* The drain thread: adds delta if s is still the board's session. */
void log_board_add(log_session *s, const log_drain_counts *delta);

/* log_stop(), once no caller can add to s: the board keeps the run's final numbers and forgets
 * s. Whatever is still queued (a drain thread given up on) is counted as dropped. */
void log_board_end(log_session *s);

typedef struct log_board_view {
    log_drain_counts drain;
    log_caller_sums baseline;
    size_t budget_bytes;
} log_board_view;

void log_board_read(log_board_view *out);

#endif
