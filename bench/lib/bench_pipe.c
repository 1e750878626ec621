/* bench_pipe.c: drained and stalled log pipes; see bench_pipe.h. */
#include "bench_pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "platform/platform.h"
#include "util/clock.h"

enum { DRAIN_POLL_MS = 100, DRAIN_CHUNK = 1 << 16 };

static int set_cloexec(int fd)
{
    int flags = fcntl(fd, F_GETFD);
    return flags < 0 ? -1 : fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

int bench_pipe_open(bench_pipe *p)
{
    memset(p, 0, sizeof *p);
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    set_cloexec(fds[0]);
    set_cloexec(fds[1]);
    p->read_fd = fds[0];
    p->write_fd = fds[1];
    p->capacity = platform_pipe_capacity(p->read_fd);
    if (p->capacity <= 0)
        p->capacity = bench_pipe_measure_capacity();
    atomic_init(&p->stop, 0);
    atomic_init(&p->bytes_read, 0);
    return 0;
}

static void *drain_main(void *arg)
{
    bench_pipe *p = arg;
    char buffer[DRAIN_CHUNK];
    while (!atomic_load(&p->stop)) {
        struct pollfd pfd = {p->read_fd, POLLIN, 0};
        int r = poll(&pfd, 1, DRAIN_POLL_MS);
        if (r <= 0)
            continue;
        ssize_t n = read(p->read_fd, buffer, sizeof buffer);
        if (n > 0)
            atomic_fetch_add(&p->bytes_read, (uint64_t)n);
        else if (n == 0 || errno != EINTR)
            break; /* every writer is gone */
    }
    return NULL;
}

int bench_pipe_start_draining(bench_pipe *p)
{
    if (pthread_create(&p->drainer, NULL, drain_main, p) != 0)
        return -1;
    p->draining = 1;
    return 0;
}

long bench_pipe_pending(const bench_pipe *p)
{
    return platform_pending_bytes(p->read_fd);
}

int bench_pipe_is_full(const bench_pipe *p)
{
    struct pollfd pfd = {p->write_fd, POLLOUT, 0};
    return poll(&pfd, 1, 0) == 0;
}

int bench_pipe_wait_full(const bench_pipe *p, int timeout_ms, long *pending)
{
    int64_t end = clock_monotonic_ms() + timeout_ms;
    for (;;) {
        int full = bench_pipe_is_full(p);
        *pending = bench_pipe_pending(p);
        if (full)
            return 0;
        if (clock_monotonic_ms() >= end)
            return -1;
        struct timespec pause = {0, 5 * 1000000L};
        nanosleep(&pause, NULL);
    }
}

void bench_pipe_close(bench_pipe *p)
{
    if (p->draining) {
        atomic_store(&p->stop, 1);
        pthread_join(p->drainer, NULL); /* it wakes within DRAIN_POLL_MS */
        p->draining = 0;
    }
    if (p->read_fd > 0)
        close(p->read_fd);
    if (p->write_fd > 0)
        close(p->write_fd);
    p->read_fd = p->write_fd = -1;
}

long bench_pipe_measure_capacity(void)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    /* Our own fresh pipe: setting O_NONBLOCK on it affects nobody else. */
    fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK);
    static const char page[PIPE_BUF];
    long total = 0;
    size_t step = sizeof page;
    for (;;) {
        ssize_t n = write(fds[1], page, step);
        if (n > 0) {
            total += n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (step == 1)
            break;
        step = 1; /* the last slot may take less than a whole atomic write */
    }
    close(fds[0]);
    close(fds[1]);
    return total;
}
