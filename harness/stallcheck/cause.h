/* cause.h: why the server stalled, from the pipe level and the thread shapes.
 *
 * A stall is a symptom; a trustworthy gate names the cause. The log-pipe deadlock has a
 * distinctive shape: the pipe is full, exactly one thread is blocked writing it (holding the
 * logger's lock), and the request threads wait on that lock in futex calls. Many threads all
 * blocked in the pipe write means a logger without the lock but still synchronous. A stall with
 * a pipe that is not full is something else entirely and must not be blamed on the pipe. */
#ifndef STALLCHECK_CAUSE_H
#define STALLCHECK_CAUSE_H

#include <stdbool.h>
#include <stddef.h>

#define CAUSE_NONE "none"
#define CAUSE_LOG_PIPE_DEADLOCK "log-pipe-deadlock"
#define CAUSE_PIPE_WRITERS_BLOCKED "pipe-writers-blocked"
#define CAUSE_PIPE_FULL_UNCONFIRMED "pipe-full-unconfirmed"
#define CAUSE_STALLED_PIPE_NOT_FULL "stalled-pipe-not-full"

typedef struct cause_input {
    bool stalled;            /* a probe missed its deadline */
    bool pipe_full;          /* some log pipe is (near) its capacity */
    bool threads_seen;       /* thread evidence exists (proc or sample) */
    size_t log_writers;      /* threads blocked writing the log pipe */
    size_t lock_waiters;     /* threads waiting in futex calls */
} cause_input;

/* Returns one of the CAUSE_* strings and writes a one-sentence explanation into detail. */
const char *cause_decide(const cause_input *in, char *detail, size_t detail_size);

#endif
