/* reader.c: the pipe reader modes (never, scanner:N, slow:B, close, drain); see reader.h. */
#include "reader.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "platform/platform.h"
#include "util/clock.h"

/* How long one poll() waits before looking at the wake-up pipe again is unbounded: the wake-up
 * pipe is part of the same poll set. The slow reader paces itself in ticks of at least this. */
#define SLOW_TICK_MS 100

enum wait_result { WAIT_READABLE, WAIT_TIMEOUT, WAIT_STOP };

static enum wait_result wait_for(pipe_reader *r, bool want_pipe, int timeout_ms)
{
    struct pollfd fds[2];
    fds[0].fd = r->wake[0];
    fds[0].events = POLLIN;
    fds[0].revents = 0;
    fds[1].fd = want_pipe ? r->pipe->read_fd : -1; /* poll ignores negative fds */
    fds[1].events = POLLIN;
    fds[1].revents = 0;
    for (;;) {
        int n = poll(fds, 2, timeout_ms);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return WAIT_STOP;
        if (fds[0].revents)
            return WAIT_STOP;
        if (n == 0)
            return WAIT_TIMEOUT;
        return WAIT_READABLE; /* data, or POLLHUP: the read then reports EOF */
    }
}

static void remember_tail(pipe_reader *r, const char *data, size_t len)
{
    size_t room = sizeof r->tail;
    if (len >= room) {
        memcpy(r->tail, data + len - room, room);
        r->tail_len = room;
        return;
    }
    if (r->tail_len + len > room) {
        size_t drop = r->tail_len + len - room;
        memmove(r->tail, r->tail + drop, r->tail_len - drop);
        r->tail_len -= drop;
    }
    memcpy(r->tail + r->tail_len, data, len);
    r->tail_len += len;
}

/* After the scanner stopped, a drain continues through the rest of the overlong line: this
 * measures its full length, which the scanner itself never learns. */
static void measure_stop_line(pipe_reader *r, const char *data, size_t len)
{
    if (!r->scanner_stopped || r->stop_line_complete)
        return;
    const char *nl = memchr(data, '\n', len);
    if (nl) {
        r->stop_line_bytes += (unsigned long long)(nl - data) + 1;
        r->stop_line_complete = true;
    } else {
        r->stop_line_bytes += len;
    }
}

/* Reads up to max bytes. Returns bytes read, 0 when nothing was there, -1 at EOF or error. */
static ssize_t read_some(pipe_reader *r, char *buf, size_t max)
{
    for (;;) {
        ssize_t n = read(r->pipe->read_fd, buf, max);
        if (n > 0) {
            pthread_mutex_lock(&r->lock);
            r->bytes_read += (unsigned long long)n;
            remember_tail(r, buf, (size_t)n);
            pthread_mutex_unlock(&r->lock);
            return n;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        pthread_mutex_lock(&r->lock);
        r->eof = true;
        pthread_mutex_unlock(&r->lock);
        return -1;
    }
}

static void run_drain(pipe_reader *r)
{
    char buf[65536];
    for (;;) {
        if (wait_for(r, true, -1) == WAIT_STOP)
            return;
        ssize_t n = read_some(r, buf, sizeof buf);
        if (n < 0)
            return;
        if (n > 0) {
            pthread_mutex_lock(&r->lock);
            measure_stop_line(r, buf, (size_t)n);
            pthread_mutex_unlock(&r->lock);
        }
    }
}

static void run_scanner(pipe_reader *r)
{
    char buf[65536];
    for (;;) {
        pthread_mutex_lock(&r->lock);
        size_t room = scanner_room(&r->scanner);
        pthread_mutex_unlock(&r->lock);
        if (room == 0)
            return; /* stopped for good, like the launcher */
        if (wait_for(r, true, -1) == WAIT_STOP)
            return;
        ssize_t n = read_some(r, buf, room < sizeof buf ? room : sizeof buf);
        if (n < 0)
            return;
        pthread_mutex_lock(&r->lock);
        if (scanner_feed(&r->scanner, buf, (size_t)n)) {
            r->scanner_stopped = true;
            r->stop_line_bytes = r->scanner.line_len;
        }
        pthread_mutex_unlock(&r->lock);
    }
}

static void run_slow(pipe_reader *r)
{
    long bytes_per_sec = r->arg;
    long tick_ms = SLOW_TICK_MS;
    if (bytes_per_sec > 0 && 1000 / bytes_per_sec > tick_ms)
        tick_ms = 1000 / bytes_per_sec; /* below 10 B/s: one byte per longer tick */
    size_t per_tick = (size_t)(bytes_per_sec * tick_ms / 1000);
    if (per_tick == 0)
        per_tick = 1;
    char buf[65536];
    for (;;) {
        int64_t tick_end = clock_monotonic_ms() + tick_ms;
        size_t budget = per_tick;
        while (budget > 0) {
            int64_t left = tick_end - clock_monotonic_ms();
            if (left <= 0)
                break;
            enum wait_result w = wait_for(r, true, (int)left);
            if (w == WAIT_STOP)
                return;
            if (w == WAIT_TIMEOUT)
                break;
            ssize_t n = read_some(r, buf, budget < sizeof buf ? budget : sizeof buf);
            if (n < 0)
                return;
            budget -= (size_t)n;
        }
        /* the rate limit: wait out the rest of the tick (still stoppable) */
        int64_t left = tick_end - clock_monotonic_ms();
        if (left > 0 && wait_for(r, false, (int)left) == WAIT_STOP)
            return;
    }
}

static void *reader_thread(void *arg)
{
    pipe_reader *r = arg;
    platform_set_thread_name("stall-reader");
    switch (r->active) {
    case READER_SCANNER:
        run_scanner(r);
        break;
    case READER_SLOW:
        run_slow(r);
        break;
    case READER_DRAIN:
        run_drain(r);
        break;
    case READER_NEVER:
    case READER_CLOSE:
        break;
    }
    return NULL;
}

static int open_wake_pipe(int wake[2])
{
    if (pipe(wake) != 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        int fd_flags = fcntl(wake[i], F_GETFD);
        int fl_flags = fcntl(wake[i], F_GETFL);
        if (fd_flags < 0 || fl_flags < 0 || fcntl(wake[i], F_SETFD, fd_flags | FD_CLOEXEC) != 0 ||
            fcntl(wake[i], F_SETFL, fl_flags | O_NONBLOCK) != 0) {
            close(wake[0]);
            close(wake[1]);
            wake[0] = wake[1] = -1;
            return -1;
        }
    }
    return 0;
}

/* Empties the wake-up pipe so that a restarted thread does not stop at once. */
static void clear_wake_pipe(pipe_reader *r)
{
    char buf[64];
    while (read(r->wake[0], buf, sizeof buf) > 0) {
    }
}

int reader_init(pipe_reader *r, log_pipe *pipe, reader_mode mode, long arg)
{
    memset(r, 0, sizeof *r);
    r->pipe = pipe;
    r->mode = mode;
    r->active = mode;
    r->arg = arg;
    r->wake[0] = r->wake[1] = -1;
    if (mode == READER_SCANNER)
        scanner_init(&r->scanner, (size_t)arg);
    if (pthread_mutex_init(&r->lock, NULL) != 0)
        return -1;
    if (open_wake_pipe(r->wake) != 0) {
        pthread_mutex_destroy(&r->lock);
        return -1;
    }
    return 0;
}

static int start_thread(pipe_reader *r)
{
    clear_wake_pipe(r);
    if (pthread_create(&r->thread, NULL, reader_thread, r) != 0)
        return -1;
    r->thread_running = true;
    return 0;
}

int reader_start(pipe_reader *r)
{
    switch (r->mode) {
    case READER_NEVER:
        return 0;
    case READER_CLOSE:
        log_pipe_close_read(r->pipe);
        return 0;
    case READER_SCANNER:
    case READER_SLOW:
    case READER_DRAIN:
        return start_thread(r);
    }
    return -1;
}

void reader_stop(pipe_reader *r)
{
    if (!r->thread_running)
        return;
    char byte = 1;
    ssize_t ignored = write(r->wake[1], &byte, 1);
    (void)ignored; /* a full wake-up pipe already says "stop" */
    pthread_join(r->thread, NULL);
    r->thread_running = false;
}

int reader_switch_to_drain(pipe_reader *r)
{
    reader_stop(r);
    if (r->pipe->read_fd < 0)
        return 0;                 /* closed: nothing to drain */
    pthread_mutex_lock(&r->lock); /* the sampler reads it (reader_get_snapshot) */
    r->active = READER_DRAIN;
    pthread_mutex_unlock(&r->lock);
    return start_thread(r);
}

void reader_destroy(pipe_reader *r)
{
    reader_stop(r);
    for (int i = 0; i < 2; i++)
        if (r->wake[i] >= 0)
            close(r->wake[i]);
    r->wake[0] = r->wake[1] = -1;
    pthread_mutex_destroy(&r->lock);
}

void reader_get_snapshot(pipe_reader *r, reader_snapshot *out)
{
    pthread_mutex_lock(&r->lock);
    out->bytes_read = r->bytes_read;
    out->scanner_stopped = r->scanner_stopped;
    out->lines = r->scanner.lines;
    out->stop_line_bytes = r->stop_line_bytes;
    out->stop_line_complete = r->stop_line_complete;
    out->eof = r->eof;
    out->active = r->active;
    pthread_mutex_unlock(&r->lock);
}

void reader_copy_tail(pipe_reader *r, char *out, size_t out_size)
{
    if (out_size == 0)
        return;
    pthread_mutex_lock(&r->lock);
    size_t n = r->tail_len < out_size - 1 ? r->tail_len : out_size - 1;
    memcpy(out, r->tail + r->tail_len - n, n);
    out[n] = '\0';
    pthread_mutex_unlock(&r->lock);
}
