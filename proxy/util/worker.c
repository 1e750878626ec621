/* worker.c: start, wake and stop of a background thread; see worker.h.
 *
 * One mutex guards the flags; the body never holds it while it works, only inside
 * worker_wait(). Stop waits on `done_cond` with a deadline instead of joining blindly, so a body
 * stuck in a call that ignores the stop flag cannot hold up shutdown for longer than asked. */
#include "util/worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "platform/platform.h"
#include "util/clock.h"

struct worker {
    pthread_mutex_t mu;
    pthread_cond_t wake_cond; /* wake or stop requested */
    pthread_cond_t done_cond; /* the body returned */
    pthread_t thread;
    worker_body body;
    void *user;
    char name[16];
    int woken;
    int stop;
    int done;
    int abandoned; /* worker_stop gave up waiting: the thread frees the worker */
};

static void worker_free(worker *w)
{
    pthread_cond_destroy(&w->done_cond);
    pthread_cond_destroy(&w->wake_cond);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    if (w->name[0])
        platform_set_thread_name(w->name);
    w->body(w, w->user);
    pthread_mutex_lock(&w->mu);
    w->done = 1;
    int abandoned = w->abandoned;
    pthread_cond_broadcast(&w->done_cond);
    pthread_mutex_unlock(&w->mu);
    if (abandoned)
        worker_free(w);
    return NULL;
}

worker *worker_start(const char *thread_name, worker_body body, void *user)
{
    if (!body)
        return NULL;
    worker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->body = body;
    w->user = user;
    if (thread_name) {
        size_t n = strlen(thread_name);
        n = n < sizeof w->name - 1 ? n : sizeof w->name - 1;
        memcpy(w->name, thread_name, n);
    }
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->wake_cond, NULL);
    pthread_cond_init(&w->done_cond, NULL);
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        worker_free(w);
        return NULL;
    }
    return w;
}

void worker_wake(worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->woken = 1;
    pthread_cond_signal(&w->wake_cond);
    pthread_mutex_unlock(&w->mu);
}

worker_event worker_wait(worker *w, int64_t ms)
{
    struct timespec deadline;
    if (ms >= 0)
        clock_deadline_in(&deadline, ms);
    pthread_mutex_lock(&w->mu);
    int timed_out = 0;
    while (!w->stop && !w->woken && !timed_out) {
        if (ms < 0)
            pthread_cond_wait(&w->wake_cond, &w->mu);
        else
            timed_out = pthread_cond_timedwait(&w->wake_cond, &w->mu, &deadline) == ETIMEDOUT;
    }
    worker_event event = w->stop ? WORKER_STOP : w->woken ? WORKER_WOKEN : WORKER_TIMEOUT;
    w->woken = 0;
    pthread_mutex_unlock(&w->mu);
    return event;
}

void worker_clear_wake(worker *w)
{
    pthread_mutex_lock(&w->mu);
    w->woken = 0;
    pthread_mutex_unlock(&w->mu);
}

int worker_stopping(worker *w)
{
    pthread_mutex_lock(&w->mu);
    int stop = w->stop;
    pthread_mutex_unlock(&w->mu);
    return stop;
}

int worker_stop(worker *w, int deadline_ms)
{
    if (!w)
        return 0;
    struct timespec deadline;
    if (deadline_ms >= 0)
        clock_deadline_in(&deadline, deadline_ms);
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_broadcast(&w->wake_cond);
    int timed_out = 0;
    while (!w->done && !timed_out) {
        if (deadline_ms < 0)
            pthread_cond_wait(&w->done_cond, &w->mu);
        else
            timed_out = pthread_cond_timedwait(&w->done_cond, &w->mu, &deadline) == ETIMEDOUT;
    }
    if (!w->done) {
        w->abandoned = 1;
        pthread_mutex_unlock(&w->mu);
        pthread_detach(w->thread);
        return -1;
    }
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    worker_free(w);
    return 0;
}
