/* mutex_pipe_deadlock.c: the production deadlock in one small program, next to its fix.
 *
 * Field failure: the launcher stopped reading the proxy's stdout/stderr pipe; once the pipe was
 * full, write(2) blocked inside the logger with the logger's mutex held, and every thread that
 * logged then waited on that mutex forever. Phase "blocking" rebuilds exactly that: THREADS
 * threads log through a mutex held across write(2) into a pipe that is never read. Phase "async"
 * runs the same threads against a bounded queue (the mutex guards a memcpy only) drained by one
 * writer thread that polls the non-blocking pipe; when the queue is full, the newest lines are
 * dropped and counted. Frozen threads cannot be unblocked: the program reports, then _exit()s.
 * Exit status: 0 when blocking froze and async finished (the expected demonstration), else 1. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* 10000 calls x 4 threads x 120 bytes = 4.8 MB: more than any pipe holds (64 KiB to 1 MiB). */
enum { THREADS = 4, CALLS = 10000, LINE_BYTES = 120, QUEUE_BYTES = 64 * 1024 };

struct phase {
    void (*log)(struct phase *p, const char *line, size_t len);
    int pipe_fds[2];               /* [1] is logged to; [0] stays open and is never read */
    pthread_mutex_t lock;          /* blocking: held across write(2); async: guards the queue */
    atomic_int in_write, waiting_on_mutex, stop; /* stop: async only, ends the writer thread */
    pthread_mutex_t done_lock;     /* guards finished */
    pthread_cond_t done_cond;
    int finished;
    char queue[QUEUE_BYTES];       /* async only, guarded by lock, like the line below */
    size_t queued;
    long accepted, dropped;        /* lines */
};
#define PHASE_INIT(log_fn)                                                    \
    {.log = log_fn, .lock = PTHREAD_MUTEX_INITIALIZER,                        \
     .done_lock = PTHREAD_MUTEX_INITIALIZER, .done_cond = PTHREAD_COND_INITIALIZER}

static void blocking_log(struct phase *p, const char *line, size_t len)
{
    atomic_fetch_add(&p->waiting_on_mutex, 1);
    pthread_mutex_lock(&p->lock);
    atomic_fetch_sub(&p->waiting_on_mutex, 1);
    atomic_fetch_add(&p->in_write, 1);
    ssize_t ignored = write(p->pipe_fds[1], line, len); /* the bug: blocks with the lock held */
    (void)ignored;
    atomic_fetch_sub(&p->in_write, 1);
    pthread_mutex_unlock(&p->lock);
}

static void async_log(struct phase *p, const char *line, size_t len)
{
    pthread_mutex_lock(&p->lock); /* held for a memcpy at most, never across a write */
    if (p->queued + len <= sizeof p->queue) {
        memcpy(p->queue + p->queued, line, len);
        p->queued += len;
        p->accepted++;
    } else {
        p->dropped++; /* full: drop the newest line and count it */
    }
    pthread_mutex_unlock(&p->lock);
}

/* The only writer of the async pipe: takes the whole queue, then writes it out as fast as the
 * pipe takes it. It waits in poll() only, 10 ms at most, so that stop is noticed. */
static void *writer_thread(void *arg)
{
    struct phase *p = arg;
    char out[QUEUE_BYTES];
    size_t out_len = 0, out_done = 0;
    while (!atomic_load(&p->stop)) {
        if (out_done == out_len) {
            pthread_mutex_lock(&p->lock);
            memcpy(out, p->queue, p->queued);
            out_len = p->queued, out_done = 0, p->queued = 0;
            pthread_mutex_unlock(&p->lock);
        }
        struct pollfd pfd = {.fd = p->pipe_fds[1], .events = out_done < out_len ? POLLOUT : 0};
        ssize_t n = poll(&pfd, 1, 10) == 1 ? write(pfd.fd, out + out_done, out_len - out_done) : 0;
        out_done += n > 0 ? (size_t)n : 0;
    }
    return NULL;
}

static void *logging_thread(void *arg)
{
    struct phase *p = arg;
    char line[LINE_BYTES];
    for (int i = 0; i < CALLS; i++) {
        int len = snprintf(line, sizeof line, "call %-*d\n", LINE_BYTES - 7, i); /* 119 bytes */
        p->log(p, line, (size_t)len);
    }
    pthread_mutex_lock(&p->done_lock);
    p->finished++;
    pthread_cond_signal(&p->done_cond);
    pthread_mutex_unlock(&p->done_lock);
    return NULL;
}

/* Starts the logging threads (detached: they may never return); waits at most seconds. */
static int run_phase(struct phase *p, int seconds)
{
    pthread_t t;
    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&t, NULL, logging_thread, p) == 0)
            pthread_detach(t);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += seconds;
    pthread_mutex_lock(&p->done_lock);
    for (int rc = 0; p->finished < THREADS && rc != ETIMEDOUT;)
        rc = pthread_cond_timedwait(&p->done_cond, &p->done_lock, &until);
    int finished = p->finished;
    pthread_mutex_unlock(&p->done_lock);
    return finished;
}

int main(void)
{
    static struct phase blocking = PHASE_INIT(blocking_log), async = PHASE_INIT(async_log);
    pthread_t writer;
    if (pipe(blocking.pipe_fds) != 0 || pipe(async.pipe_fds) != 0)
        return 1;
    int pending = 0, blocking_done = run_phase(&blocking, 2);
    int in_write = atomic_load(&blocking.in_write), waiting = atomic_load(&blocking.waiting_on_mutex);
    ioctl(blocking.pipe_fds[0], FIONREAD, &pending);
    printf("blocking: %d of %d threads finished %d log calls within 2 s; the pipe holds %d bytes; "
           "%d thread blocked in write, %d waiting on the mutex\n",
           blocking_done, THREADS, CALLS, pending, in_write, waiting);

    fcntl(async.pipe_fds[1], F_SETFL, fcntl(async.pipe_fds[1], F_GETFL) | O_NONBLOCK); /* ours */
    if (pthread_create(&writer, NULL, writer_thread, &async) != 0)
        return 1;
    int async_done = run_phase(&async, 10);
    atomic_store(&async.stop, 1);
    pthread_join(writer, NULL); /* safe: the writer never blocks and checks stop every 10 ms */
    pthread_mutex_lock(&async.lock);
    printf("async: %d of %d threads finished %d log calls; %ld lines dropped and counted, "
           "%ld accepted\n", async_done, THREADS, CALLS, async.dropped, async.accepted);
    int expected = blocking_done < THREADS && in_write == 1 && async_done == THREADS &&
                   async.accepted + async.dropped == (long)THREADS * CALLS;
    pthread_mutex_unlock(&async.lock);
    puts(expected ? "as expected: the blocking logger froze; the async logger kept running"
                  : "UNEXPECTED: see the counts above");
    fflush(stdout);
    _exit(expected ? 0 : 1); /* not exit(): the frozen threads are abandoned, nothing waits on them */
}
