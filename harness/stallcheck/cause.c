/* cause.c: the cause decision table; see cause.h. */
#include "cause.h"

#include <stdio.h>

static const char *or_none(const char *waits)
{
    return waits && *waits ? waits : "no blocked thread seen";
}

const char *cause_decide(const cause_input *in, char *detail, size_t detail_size)
{
    if (in->inconclusive) {
        snprintf(detail, detail_size,
                 "every probe answered, but the fault (a full pipe nobody reads) was never in place: "
                 "this run proves nothing; CI must treat inconclusive as a failure");
        return CAUSE_FAULT_NOT_REACHED;
    }
    if (!in->stalled) {
        snprintf(detail, detail_size, "every probe answered within its deadline with the fault in place");
        return CAUSE_NONE;
    }
    if (!in->pipe_full) {
        snprintf(detail, detail_size,
                 "the server stalled while the log pipe was not full: the stall has another cause%s "
                 "(threads wait in: %s)",
                 in->recovery_run && !in->recovered ? ", and draining did not bring it back" : "",
                 or_none(in->waits));
        return CAUSE_STALLED_PIPE_NOT_FULL;
    }
    if (in->recovery_run && !in->recovered) {
        snprintf(detail, detail_size,
                 "the log pipe is full, but draining it did not bring the server back: the stall "
                 "has another cause (threads wait in: %s)",
                 or_none(in->waits));
        return CAUSE_STALLED_NOT_PIPE;
    }
    const char *cured = in->recovery_run ? "draining the pipe cured it" : "recovery could not be checked";
    if (!in->threads_seen || in->log_writers == 0) {
        snprintf(detail, detail_size,
                 in->threads_seen
                     ? "the log pipe is full and %s, but no thread was seen blocked writing it"
                     : "the log pipe is full and %s; no thread evidence on this system to confirm who blocks",
                 cured);
        return CAUSE_PIPE_FULL_UNCONFIRMED;
    }
    if (in->log_writers == 1 && in->convoy_threads >= 2) {
        snprintf(detail, detail_size,
                 "the log pipe is full, one thread is blocked writing it (holding the logger's lock) "
                 "and %zu threads wait on one lock behind it; %s",
                 in->convoy_threads, cured);
        return CAUSE_LOG_PIPE_DEADLOCK;
    }
    snprintf(detail, detail_size,
             "the log pipe is full and %zu thread(s) are blocked writing it (%s); %s",
             in->log_writers,
             in->log_writers > 1 ? "several writers: no single lock holder"
                                 : "no lock convoy behind it",
             cured);
    return CAUSE_PIPE_WRITERS_BLOCKED;
}
