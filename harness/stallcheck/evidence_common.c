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

/* The largest group of lock waiters sharing one futex word in one process. */
static void find_convoy(evidence *ev)
{
    ev->convoy_threads = 0;
    ev->convoy_pid = 0;
    ev->convoy_address = 0;
    ev->convoy_address_known = false;
    size_t without_address = 0;
    for (size_t i = 0; i < ev->count; i++) {
        const thread_evidence *a = &ev->threads[i];
        if (a->role != ROLE_LOCK_WAITER)
            continue;
        if (a->wait_address == 0) {
            without_address++;
            continue;
        }
        size_t same = 0;
        for (size_t j = 0; j < ev->count; j++) {
            const thread_evidence *b = &ev->threads[j];
            same += b->role == ROLE_LOCK_WAITER && b->pid == a->pid && b->wait_address == a->wait_address;
        }
        if (same > ev->convoy_threads) {
            ev->convoy_threads = same;
            ev->convoy_pid = a->pid;
            ev->convoy_address = a->wait_address;
            ev->convoy_address_known = true;
        }
    }
    if (ev->convoy_threads == 0 && without_address > 0)
        ev->convoy_threads = without_address; /* addresses unknown: one group, said so */
}

void evidence_tally(evidence *ev)
{
    ev->log_writers = 0;
    ev->lock_waiters = 0;
    ev->idle = 0;
    ev->other_writers = 0;
    for (size_t i = 0; i < ev->count; i++) {
        switch (ev->threads[i].role) {
        case ROLE_LOG_WRITER: ev->log_writers++; break;
        case ROLE_LOCK_WAITER: ev->lock_waiters++; break;
        case ROLE_IDLE: ev->idle++; break;
        case ROLE_OTHER_WRITER: ev->other_writers++; break;
        default: break;
        }
    }
    find_convoy(ev);
}
