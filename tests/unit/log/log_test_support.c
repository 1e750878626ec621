/* log_test_support.c: pipe reader thread, bounded waits and line checks for the logger tests;
 * see log_test_support.h. */
#include "log_test_support.h"
#include "util/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int64_t test_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void deadline_in(struct timespec *ts, int ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static void append(pipe_reader *r, const char *data, size_t len)
{
    if (r->len + len > r->cap) {
        size_t cap = r->cap ? r->cap : 65536;
        while (cap < r->len + len)
            cap *= 2;
        char *grown = realloc(r->data, cap);
        if (!grown)
            abort();
        r->data = grown;
        r->cap = cap;
    }
    memcpy(r->data + r->len, data, len);
    r->len += len;
}

static void *reader_main(void *arg)
{
    pipe_reader *r = arg;
    char buf[65536];
    pthread_mutex_lock(&r->lock);
    while (!r->reading)
        pthread_cond_wait(&r->changed, &r->lock);
    pthread_mutex_unlock(&r->lock);
    for (;;) {
        ssize_t n = read(r->read_fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        pthread_mutex_lock(&r->lock);
        if (n > 0)
            append(r, buf, (size_t)n);
        else
            r->eof = 1;
        pthread_cond_broadcast(&r->changed);
        pthread_mutex_unlock(&r->lock);
        if (n <= 0)
            return NULL;
    }
}

void pipe_reader_start(pipe_reader *r, int reading)
{
    memset(r, 0, sizeof *r);
    int fds[2];
    if (pipe(fds) != 0)
        abort();
    r->read_fd = fds[0];
    r->write_fd = fds[1];
    r->reading = reading;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->changed, NULL);
    if (pthread_create(&r->thread, NULL, reader_main, r) != 0)
        abort();
}

void pipe_reader_resume(pipe_reader *r)
{
    pthread_mutex_lock(&r->lock);
    r->reading = 1;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
}

int pipe_reader_finish(pipe_reader *r)
{
    if (r->write_fd >= 0) {
        close(r->write_fd);
        r->write_fd = -1;
    }
    pipe_reader_resume(r);
    const int64_t give_up = test_now_ms() + TEST_DEADLINE_MS;
    pthread_mutex_lock(&r->lock);
    while (!r->eof && test_now_ms() < give_up) {
        struct timespec at;
        deadline_in(&at, 100);
        pthread_cond_timedwait(&r->changed, &r->lock, &at);
    }
    int eof = r->eof;
    pthread_mutex_unlock(&r->lock);
    return eof;
}

void pipe_reader_destroy(pipe_reader *r)
{
    pthread_join(r->thread, NULL);
    close(r->read_fd);
    if (r->write_fd >= 0)
        close(r->write_fd);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->changed);
    free(r->data);
    r->data = NULL;
}

size_t pipe_reader_length(pipe_reader *r)
{
    pthread_mutex_lock(&r->lock);
    size_t len = r->len;
    pthread_mutex_unlock(&r->lock);
    return len;
}

size_t fill_pipe(int write_fd)
{
    int flags = fcntl(write_fd, F_GETFL);
    if (flags < 0 || fcntl(write_fd, F_SETFL, flags | O_NONBLOCK) != 0)
        return 0;
    char block[4096];
    memset(block, 'f', sizeof block);
    size_t total = 0;
    for (size_t chunk = sizeof block; chunk > 0; chunk /= 2) {
        for (;;) {
            ssize_t n = write(write_fd, block, chunk);
            if (n <= 0)
                break;
            total += (size_t)n;
        }
    }
    if (fcntl(write_fd, F_SETFL, flags) != 0)
        return 0;
    return total;
}

log_stats stats_now(void)
{
    log_stats s;
    log_get_stats(&s);
    return s;
}

/* ---- bounded thread runs -------------------------------------------------------------- */

typedef struct bounded_run {
    pthread_mutex_t lock;
    pthread_cond_t finished_one;
    int finished;
} bounded_run;

typedef struct bounded_task {
    bounded_run *run;
    void *(*fn)(void *);
    void *arg;
} bounded_task;

static void *bounded_main(void *arg)
{
    bounded_task *task = arg;
    task->fn(task->arg);
    pthread_mutex_lock(&task->run->lock);
    task->run->finished++;
    pthread_cond_broadcast(&task->run->finished_one);
    pthread_mutex_unlock(&task->run->lock);
    return NULL;
}

int run_threads_bounded(int count, void *(*fn)(void *), void **args, int timeout_ms)
{
    /* Heap state: on timeout the threads outlive this call. */
    bounded_run *run = calloc(1, sizeof *run);
    bounded_task *tasks = calloc((size_t)count, sizeof *tasks);
    pthread_t *threads = calloc((size_t)count, sizeof *threads);
    if (!run || !tasks || !threads)
        abort();
    pthread_mutex_init(&run->lock, NULL);
    pthread_cond_init(&run->finished_one, NULL);
    for (int i = 0; i < count; i++) {
        tasks[i].run = run;
        tasks[i].fn = fn;
        tasks[i].arg = args ? args[i] : NULL;
        if (pthread_create(&threads[i], NULL, bounded_main, &tasks[i]) != 0)
            abort();
    }
    const int64_t give_up = test_now_ms() + timeout_ms;
    pthread_mutex_lock(&run->lock);
    while (run->finished < count && test_now_ms() < give_up) {
        struct timespec at;
        deadline_in(&at, 100);
        pthread_cond_timedwait(&run->finished_one, &run->lock, &at);
    }
    int all = run->finished == count;
    pthread_mutex_unlock(&run->lock);
    if (!all) {
        /* Said at once: cmocka prints a failure only after teardown, which may hang too. */
        fprintf(stderr, "watchdog: %d of %d threads still running after %d ms\n",
                count - run->finished, count, timeout_ms);
        return 0; /* leaked on purpose: the test fails, the stuck threads keep their state */
    }
    for (int i = 0; i < count; i++)
        pthread_join(threads[i], NULL);
    pthread_mutex_destroy(&run->lock);
    pthread_cond_destroy(&run->finished_one);
    free(threads);
    free(tasks);
    free(run);
    return 1;
}

int wait_for_stats(int (*done)(const log_stats *, const void *), const void *arg, int timeout_ms)
{
    const int64_t give_up = test_now_ms() + timeout_ms;
    for (;;) {
        log_stats s;
        log_get_stats(&s);
        if (done(&s, arg))
            return 1;
        if (test_now_ms() >= give_up)
            return 0;
        sleep_ms(2);
    }
}
