/* evidence_common.c: the parts of evidence.h shared by every system's implementation. */
#include "evidence.h"

#include <stdlib.h>
#include <string.h>

void evidence_free(evidence *ev)
{
    free(ev->threads);
    ev->threads = NULL;
    ev->count = 0;
}

void evidence_tally(evidence *ev)
{
    ev->log_writers = 0;
    ev->lock_waiters = 0;
    for (size_t i = 0; i < ev->count; i++) {
        if (ev->threads[i].role == ROLE_LOG_WRITER)
            ev->log_writers++;
        else if (ev->threads[i].role == ROLE_LOCK_WAITER)
            ev->lock_waiters++;
    }
}
