/* conn_guard.c: request-head deadline for client connections; see conn_guard.h. */
#include "server/conn_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log/log.h"
#include "platform/platform.h"
#include "util/clock.h"

#define REAP_PERIOD_MS 250

struct conn_track {
    conn_track *prev, *next;
    int fd;                        /* our own dup of the socket */
    atomic_int_fast64_t waiting_since_ms; /* 0 while a request is being served */
};

struct conn_guard {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_t thread;
    conn_track *head;
    int header_timeout_ms;
    int stop;
    atomic_long cut;
};

static void *reaper(void *arg)
{
    conn_guard *g = arg;
    platform_set_thread_name("conn-guard");
    pthread_mutex_lock(&g->lock);
    while (!g->stop) {
        struct timespec deadline;
        clock_deadline_in(&deadline, REAP_PERIOD_MS);
        pthread_cond_timedwait(&g->cond, &g->lock, &deadline);
        int64_t now = clock_monotonic_ms();
        long cut = 0;
        for (conn_track *t = g->head; t; t = t->next) {
            int64_t since = atomic_load(&t->waiting_since_ms);
            if (since && now - since > g->header_timeout_ms) {
                shutdown(t->fd, SHUT_RDWR); /* never blocks */
                atomic_store(&t->waiting_since_ms, 0);
                cut++;
            }
        }
        if (cut) {
            atomic_fetch_add(&g->cut, cut);
            pthread_mutex_unlock(&g->lock);
            LOG_WARN("[HTTP] closed %ld connection(s) that sent no complete request head within %d ms",
                     cut, g->header_timeout_ms);
            pthread_mutex_lock(&g->lock);
        }
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

conn_guard *conn_guard_start(int header_timeout_ms)
{
    conn_guard *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->header_timeout_ms = header_timeout_ms;
    atomic_init(&g->cut, 0);
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->cond, NULL);
    if (pthread_create(&g->thread, NULL, reaper, g) != 0) {
        pthread_mutex_destroy(&g->lock);
        pthread_cond_destroy(&g->cond);
        free(g);
        return NULL;
    }
    return g;
}

void conn_guard_stop(conn_guard *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&g->lock);
    g->stop = 1;
    pthread_cond_signal(&g->cond);
    pthread_mutex_unlock(&g->lock);
    pthread_join(g->thread, NULL);
    conn_track *t = g->head;
    while (t) {
        conn_track *next = t->next;
        close(t->fd);
        free(t);
        t = next;
    }
    pthread_mutex_destroy(&g->lock);
    pthread_cond_destroy(&g->cond);
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
