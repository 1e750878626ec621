/* cause.c: the cause decision table; see cause.h. */
#include "cause.h"

#include <stdio.h>

const char *cause_decide(const cause_input *in, char *detail, size_t detail_size)
{
    if (!in->stalled) {
        snprintf(detail, detail_size, "every probe answered within its deadline");
        return CAUSE_NONE;
    }
    if (!in->pipe_full) {
        snprintf(detail, detail_size,
                 "probes missed their deadline while the log pipe was not full: the stall has "
                 "another cause (%zu thread(s) waiting on a lock, %zu blocked writing the log pipe)",
                 in->lock_waiters, in->log_writers);
        return CAUSE_STALLED_PIPE_NOT_FULL;
    }
    if (!in->threads_seen || in->log_writers == 0) {
        snprintf(detail, detail_size,
                 in->threads_seen
                     ? "the log pipe is full but no thread was seen blocked writing it"
                     : "the log pipe is full; no thread evidence on this system to confirm who blocks");
        return CAUSE_PIPE_FULL_UNCONFIRMED;
    }
    if (in->log_writers == 1 && in->lock_waiters >= 1) {
        snprintf(detail, detail_size,
                 "the log pipe is full, one thread is blocked writing it (holding the logger's "
                 "lock) and %zu other thread(s) are waiting on a lock",
                 in->lock_waiters);
        return CAUSE_LOG_PIPE_DEADLOCK;
    }
    snprintf(detail, detail_size,
             "the log pipe is full and %zu thread(s) are blocked writing it (%zu waiting on a lock)",
             in->log_writers, in->lock_waiters);
    return CAUSE_PIPE_WRITERS_BLOCKED;
}
