/* conn_guard.c: request-head deadline for client connections; see conn_guard.h. */
#include "server/conn_guard.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log/log.h"
#include "util/clock.h"
#include "util/worker.h"

#define REAP_PERIOD_MS 250

struct conn_track {
    conn_track *prev, *next;
    int fd;                        /* our own dup of the socket */
    atomic_int_fast64_t waiting_since_ms; /* 0 while a request is being served */
};

struct conn_guard {
    pthread_mutex_t lock; /* guards the list */
    worker *thread;
    conn_track *head;
    int header_timeout_ms;
    atomic_long cut;
};

/* Shuts down the sockets whose request head is overdue; returns how many. */
static long cut_overdue(conn_guard *g)
{
    int64_t now = clock_monotonic_ms();
    long cut = 0;
    pthread_mutex_lock(&g->lock);
    for (conn_track *t = g->head; t; t = t->next) {
        int64_t since = atomic_load(&t->waiting_since_ms);
        if (since && now - since > g->header_timeout_ms) {
            shutdown(t->fd, SHUT_RDWR); /* never blocks */
            atomic_store(&t->waiting_since_ms, 0);
            cut++;
        }
    }
    pthread_mutex_unlock(&g->lock);
    return cut;
}

static void reaper(worker *w, void *user)
{
    conn_guard *g = user;
    while (worker_wait(w, REAP_PERIOD_MS) != WORKER_STOP) {
        long cut = cut_overdue(g);
        if (cut) {
            atomic_fetch_add(&g->cut, cut);
            LOG_WARN("[HTTP] closed %ld connection(s) that sent no complete request head within %d ms",
                     cut, g->header_timeout_ms);
        }
    }
}

conn_guard *conn_guard_start(int header_timeout_ms)
{
    conn_guard *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->header_timeout_ms = header_timeout_ms;
    atomic_init(&g->cut, 0);
    pthread_mutex_init(&g->lock, NULL);
    g->thread = worker_start("conn-guard", reaper, g);
    if (!g->thread) {
        pthread_mutex_destroy(&g->lock);
        free(g);
        return NULL;
    }
    return g;
}

void conn_guard_stop(conn_guard *g)
{
    if (!g)
        return;
    /* The reaper never blocks: it ends within one period. */
    if (worker_stop(g->thread, 10 * REAP_PERIOD_MS) != 0) {
        LOG_ERROR("[HTTP] the connection guard did not stop in time: leaving it running");
        return; /* g stays allocated: the thread still uses it */
    }
    conn_track *t = g->head;
    while (t) {
        conn_track *next = t->next;
        close(t->fd);
        free(t);
        t = next;
    }
    pthread_mutex_destroy(&g->lock);
    free(g);
}

conn_track *conn_guard_add(conn_guard *g, int fd)
{
    if (!g || fd < 0)
        return NULL;
    conn_track *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (t->fd < 0) {
        free(t);
        return NULL;
    }
    atomic_init(&t->waiting_since_ms, clock_monotonic_ms());
    pthread_mutex_lock(&g->lock);
    t->next = g->head;
    if (g->head)
        g->head->prev = t;
    g->head = t;
    pthread_mutex_unlock(&g->lock);
    return t;
}

void conn_guard_remove(conn_guard *g, conn_track *t)
{
    if (!g || !t)
        return;
    pthread_mutex_lock(&g->lock);
    if (t->prev)
        t->prev->next = t->next;
    else
        g->head = t->next;
    if (t->next)
        t->next->prev = t->prev;
    pthread_mutex_unlock(&g->lock);
    close(t->fd);
    free(t);
}

void conn_track_request_started(conn_track *t)
{
    if (t)
        atomic_store(&t->waiting_since_ms, 0);
}

void conn_track_request_done(conn_track *t)
{
    if (t)
        atomic_store(&t->waiting_since_ms, clock_monotonic_ms());
}

long conn_guard_cut_count(conn_guard *g)
{
    return g ? atomic_load(&g->cut) : 0;
}
