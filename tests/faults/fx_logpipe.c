/* fx_logpipe.c: the test-owned log pipe and its switchable reader thread; see fx_logpipe.h. */
#include "fx_logpipe.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "fx_check.h"

#define TICK_MS 100
#define READ_CHUNK 4096

struct fx_logpipe {
    int rfd, wfd;
    int capacity;
    pthread_t thread;
    int thread_started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* Guarded by mu. */
    fx_read_mode mode;
    long arg;
    int stop;
    int scanner_stopped;
    int eof;
    size_t line_len; /* bytes of the line being read (scanner) */
    char *out;
    size_t out_len, out_cap;
    long long lines;
};

fx_logpipe *fx_logpipe_new(int pipe_size)
{
    fx_logpipe *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    int fds[2];
#ifdef __linux__
    if (pipe2(fds, O_CLOEXEC) != 0) {
#else
    if (pipe(fds) != 0) {
#endif
        free(p);
        return NULL;
    }
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    p->rfd = fds[0];
    p->wfd = fds[1];
    p->capacity = 65536;
#ifdef F_SETPIPE_SZ
    if (pipe_size > 0)
        fcntl(p->wfd, F_SETPIPE_SZ, pipe_size);
    int real = fcntl(p->wfd, F_GETPIPE_SZ);
    if (real > 0)
        p->capacity = real;
#else
    (void)pipe_size;
#endif
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->mode = FX_READ_NEVER;
    return p;
}

int fx_logpipe_write_fd(const fx_logpipe *p)
{
    return p->wfd;
}

void fx_logpipe_close_write_end(fx_logpipe *p)
{
    if (p->wfd >= 0)
        close(p->wfd);
    p->wfd = -1;
}

/* Under mu: keep bytes read, count lines, run the scanner rule. */
static void take_bytes(fx_logpipe *p, const char *data, size_t n)
{
    if (p->out_len + n + 1 > p->out_cap) {
        size_t cap = p->out_cap ? p->out_cap : 65536;
        while (cap < p->out_len + n + 1)
            cap *= 2;
        char *grown = realloc(p->out, cap);
        if (!grown)
            return;
        p->out = grown;
        p->out_cap = cap;
    }
    memcpy(p->out + p->out_len, data, n);
    p->out_len += n;
    p->out[p->out_len] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (data[i] == '\n') {
            p->lines++;
            p->line_len = 0;
        } else {
            p->line_len++;
            if (p->mode == FX_READ_SCANNER && p->line_len > (size_t)p->arg)
                p->scanner_stopped = 1; /* bufio.Scanner: "token too long", reading ends */
        }
    }
}

/* One read of at most max bytes if data arrives within TICK_MS. Returns bytes, 0 on timeout,
 * -1 at EOF. Called without mu. */
static long read_some(fx_logpipe *p, size_t max, char *buf)
{
    struct pollfd pfd = {p->rfd, POLLIN, 0};
    int r = poll(&pfd, 1, TICK_MS);
    if (r <= 0)
        return 0;
    ssize_t n = read(p->rfd, buf, max);
    if (n > 0)
        return (long)n;
    if (n == 0)
        return -1;
    return 0;
}

static void wait_tick(fx_logpipe *p)
{
    struct timespec at;
    clock_gettime(CLOCK_REALTIME, &at);
    at.tv_nsec += TICK_MS * 1000000L;
    if (at.tv_nsec >= 1000000000L) {
        at.tv_sec++;
        at.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&p->cv, &p->mu, &at);
}

static void *reader_main(void *arg)
{
    fx_logpipe *p = arg;
    char buf[READ_CHUNK];
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        fx_read_mode mode = p->mode;
        int idle = mode == FX_READ_NEVER || mode == FX_READ_CLOSED || p->eof ||
                   (mode == FX_READ_SCANNER && p->scanner_stopped);
        if (idle) {
            wait_tick(p);
            continue;
        }
        size_t max = sizeof buf;
        if (mode == FX_READ_SLOW) {
            long per_tick = p->arg * TICK_MS / 1000;
            max = per_tick < 1 ? 1 : (size_t)per_tick < max ? (size_t)per_tick : max;
        }
        pthread_mutex_unlock(&p->mu);
        long n = read_some(p, max, buf);
        pthread_mutex_lock(&p->mu);
        if (n < 0)
            p->eof = 1;
        else if (n > 0)
            take_bytes(p, buf, (size_t)n);
        if (mode == FX_READ_SLOW && p->mode == FX_READ_SLOW && n > 0)
            wait_tick(p); /* the rate: one slice per tick */
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int fx_logpipe_start(fx_logpipe *p, fx_read_mode mode, long arg)
{
    pthread_mutex_lock(&p->mu);
    p->mode = mode;
    p->arg = arg;
    pthread_mutex_unlock(&p->mu);
    if (mode == FX_READ_CLOSED) {
        close(p->rfd);
        p->rfd = -1;
        return 0;
    }
    if (pthread_create(&p->thread, NULL, reader_main, p) != 0)
        return -1;
    p->thread_started = 1;
    return 0;
}

void fx_logpipe_set_mode(fx_logpipe *p, fx_read_mode mode, long arg)
{
    pthread_mutex_lock(&p->mu);
    if (p->mode != FX_READ_CLOSED) {
        p->mode = mode;
        p->arg = arg;
        pthread_cond_signal(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
}

int fx_logpipe_capacity(const fx_logpipe *p)
{
    return p->capacity;
}

long fx_logpipe_pending(const fx_logpipe *p)
{
    int n = 0;
    if (p->rfd < 0 || ioctl(p->rfd, FIONREAD, &n) != 0)
        return -1;
    return n;
}

/* Linux: a private non-blocking write description of the pipe; poll() says whether a writer
 * would find a free slot. Nothing is written. */
static int writer_would_block(const fx_logpipe *p)
{
#ifdef __linux__
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", p->rfd);
    int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct pollfd pfd = {fd, POLLOUT, 0};
    int r = poll(&pfd, 1, 0);
    close(fd);
    return r == 0;
#else
    (void)p;
    return 0;
#endif
}

int fx_logpipe_full(const fx_logpipe *p)
{
    long pending = fx_logpipe_pending(p);
    if (pending < 0)
        return 0;
    long slack = p->capacity / 4 < 4096 ? p->capacity / 4 : 4096;
    return pending >= p->capacity - slack || writer_would_block(p);
}

int fx_logpipe_scanner_stopped(fx_logpipe *p)
{
    pthread_mutex_lock(&p->mu);
    int stopped = p->scanner_stopped;
    pthread_mutex_unlock(&p->mu);
    return stopped;
}

long long fx_logpipe_bytes_read(fx_logpipe *p)
{
    pthread_mutex_lock(&p->mu);
    long long n = (long long)p->out_len;
    pthread_mutex_unlock(&p->mu);
    return n;
}

long long fx_logpipe_lines_read(fx_logpipe *p)
{
    pthread_mutex_lock(&p->mu);
    long long n = p->lines;
    pthread_mutex_unlock(&p->mu);
    return n;
}

int fx_logpipe_contains(fx_logpipe *p, const char *needle, size_t from)
{
    pthread_mutex_lock(&p->mu);
    int found = from < p->out_len &&
                memmem(p->out + from, p->out_len - from, needle, strlen(needle)) != NULL;
    pthread_mutex_unlock(&p->mu);
    return found;
}

char *fx_logpipe_output(fx_logpipe *p, size_t *len)
{
    pthread_mutex_lock(&p->mu);
    char *copy = malloc(p->out_len + 1);
    if (copy) {
        if (p->out_len)
            memcpy(copy, p->out, p->out_len);
        copy[p->out_len] = '\0';
        if (len)
            *len = p->out_len;
    }
    pthread_mutex_unlock(&p->mu);
    return copy;
}

void fx_logpipe_free(fx_logpipe *p)
{
    if (!p)
        return;
    if (p->thread_started) {
        pthread_mutex_lock(&p->mu);
        p->stop = 1;
        pthread_cond_signal(&p->cv);
        pthread_mutex_unlock(&p->mu);
        pthread_join(p->thread, NULL); /* its waits are at most TICK_MS each */
    }
    if (p->rfd >= 0)
        close(p->rfd);
    fx_logpipe_close_write_end(p);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->out);
    free(p);
}
