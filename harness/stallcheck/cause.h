/* cause.h: why the server stalled, from the pipe level, the thread shape and the recovery.
 *
 * A stall is a symptom; a trustworthy gate names the cause, and blames the pipe only when the
 * pipe is to blame. Recovery decides that: a stall that draining the pipe cures is the pipe's
 * (its shape then tells which kind); a stall that draining does not cure is not, however full
 * the pipe is - an async logger's writer thread blocked on a full pipe by design does not make a
 * handler that hangs on a dead upstream the pipe's fault.
 *
 *   none                   responsive
 *   fault-not-reached      inconclusive: the probes answered, but the fault was never in place
 *   stalled-pipe-not-full  stalled while the pipe was not full: the stall has another cause
 *   stalled-not-pipe       stalled with the pipe full, and draining it did not bring the server
 *                          back: the stall has another cause
 *   log-pipe-deadlock      pipe full, draining cured it, exactly one thread blocked writing the
 *                          pipe and a lock convoy (two or more threads that began waiting during
 *                          the fault on one futex word)
 *   pipe-writers-blocked   pipe full, draining cured it, threads blocked writing the pipe but
 *                          not that shape (several writers, or one with no convoy)
 *   pipe-full-unconfirmed  pipe full, draining cured it (or could not be tried), but no thread
 *                          was seen writing it, or there is no thread evidence on this system */
#ifndef STALLCHECK_CAUSE_H
#define STALLCHECK_CAUSE_H

#include <stdbool.h>
#include <stddef.h>

#define CAUSE_NONE "none"
#define CAUSE_FAULT_NOT_REACHED "fault-not-reached"
#define CAUSE_LOG_PIPE_DEADLOCK "log-pipe-deadlock"
#define CAUSE_PIPE_WRITERS_BLOCKED "pipe-writers-blocked"
#define CAUSE_PIPE_FULL_UNCONFIRMED "pipe-full-unconfirmed"
#define CAUSE_STALLED_PIPE_NOT_FULL "stalled-pipe-not-full"
#define CAUSE_STALLED_NOT_PIPE "stalled-not-pipe"

typedef struct cause_input {
    bool stalled;            /* the verdict is stalled */
    bool inconclusive;       /* the verdict is inconclusive */
    bool pipe_full;          /* some log pipe is full (kernel or level) */
    bool threads_seen;       /* thread evidence exists (proc or sample) */
    size_t log_writers;      /* threads blocked writing the log pipe */
    size_t lock_waiters;     /* threads that began waiting in futex calls during the fault */
    size_t convoy_threads;   /* the largest group of them on one futex word */
    size_t idle;             /* threads waiting since before the trigger */
    bool recovery_run;       /* the readers were switched to draining and the probes re-run */
    bool recovered;          /* ... and every probe answered */
    const char *waits;       /* what the blocked threads wait in (thread_shape_waits), may be "" */
} cause_input;

/* Returns one of the CAUSE_* strings and writes a one-sentence explanation into detail. */
const char *cause_decide(const cause_input *in, char *detail, size_t detail_size);

#endif
