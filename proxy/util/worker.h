/* worker.h: one background thread with the three things every background job here needs:
 * start it, wake it early, stop it within a deadline. The token refresher, the model refresher
 * and the connection guard are each a loop around worker_wait(); the locking, the condition
 * variable and the stop handshake live here once.
 *
 * A wake is remembered until the body next waits (a poke that arrives while the body is busy
 * is not lost); any number of wakes before that count as one. Stop wins over a pending wake.
 * Ownership: worker_start() returns a worker that worker_stop() frees. When the body does not
 * return within the stop deadline the thread is detached and frees the worker itself when it
 * ends; the caller must then leave `user` alive (worker_stop says so by returning -1). */
#ifndef KIRO_UTIL_WORKER_H
#define KIRO_UTIL_WORKER_H

#include <stdint.h>

typedef struct worker worker;

typedef enum {
    WORKER_TIMEOUT, /* the wait ran its full length */
    WORKER_WOKEN,   /* worker_wake() was called (before or during the wait) */
    WORKER_STOP,    /* worker_stop() was called: the body should return */
} worker_event;

/* The thread's job. It returns when worker_wait() says WORKER_STOP (or when its work is over). */
typedef void (*worker_body)(worker *w, void *user);

/* Starts a thread named thread_name (at most 15 characters shown) running body(w, user).
 * Returns NULL when the thread cannot be created. */
worker *worker_start(const char *thread_name, worker_body body, void *user);

/* Wakes the body's current or next worker_wait(). Never blocks on the body. */
void worker_wake(worker *w);

/* For the body: waits up to ms (< 0: without a time limit) for a wake or a stop. Consumes a
 * pending wake. */
worker_event worker_wait(worker *w, int64_t ms);

/* For the body: forgets a wake that arrived before this point (e.g. at the start of a round
 * that will do what the wake asked for anyway). */
void worker_clear_wake(worker *w);

/* 1 once worker_stop() was called (for bodies that check between steps of their work). */
int worker_stopping(worker *w);

/* Asks the body to stop and waits up to deadline_ms (< 0: as long as it takes) for it to
 * return. Returns 0 when the thread ended and was joined (w freed), -1 when it is still
 * running after the deadline (detached; it frees w when it ends). */
int worker_stop(worker *w, int deadline_ms);

#endif
