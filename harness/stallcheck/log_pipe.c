/* log_pipe.c: create, size, measure and observe the child's output pipe; see log_pipe.h. */
#include "log_pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/platform.h"

static int set_fd_flag(int fd, int flag)
{
    int flags = fcntl(fd, F_GETFD);
    return flags < 0 ? -1 : fcntl(fd, F_SETFD, flags | flag);
}

static int set_status_flag(int fd, int flag)
{
    int flags = fcntl(fd, F_GETFL);
    return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | flag);
}

/* pipe() with both ends close-on-exec. (pipe2 is not on macOS; the harness spawns children
 * from one thread only, so the short window between pipe() and fcntl() is harmless.) */
static int make_cloexec_pipe(int fds[2])
{
    if (pipe(fds) != 0)
        return -1;
    if (set_fd_flag(fds[0], FD_CLOEXEC) != 0 || set_fd_flag(fds[1], FD_CLOEXEC) != 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    return 0;
}

long log_pipe_measure_scratch(long requested)
{
    int fds[2];
    if (make_cloexec_pipe(fds) != 0)
        return -1;
    if (requested > 0)
        (void)platform_pipe_set_capacity(fds[1], requested);
    if (set_status_flag(fds[1], O_NONBLOCK) != 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    /* Small chunks first so a growing buffer (macOS) can grow; PIPE_BUF-sized writes are
     * all-or-nothing, so the count is exact at EAGAIN. */
    char chunk[512];
    memset(chunk, 'x', sizeof chunk);
    long total = 0;
    for (;;) {
        ssize_t n = write(fds[1], chunk, sizeof chunk);
        if (n > 0) {
            total += n;
            if (total > 64L * 1024 * 1024)
                break; /* something is wrong; do not fill memory */
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        break;
    }
    /* The pipe may still take a last partial chunk. */
    for (;;) {
        ssize_t n = write(fds[1], chunk, 1);
        if (n == 1) {
            total++;
            if (total > 64L * 1024 * 1024)
                break;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        break;
    }
    close(fds[0]);
    close(fds[1]);
    return total;
}

int log_pipe_open(log_pipe *p, const char *name, long requested, char *err, size_t err_size)
{
    memset(p, 0, sizeof *p);
    p->read_fd = -1;
    p->write_fd = -1;
    p->probe_fd = -1;
    snprintf(p->name, sizeof p->name, "%s", name);
    p->requested = requested;

    int fds[2];
    if (make_cloexec_pipe(fds) != 0) {
        snprintf(err, err_size, "pipe: %s", strerror(errno));
        return -1;
    }
    p->read_fd = fds[0];
    p->write_fd = fds[1];
    /* Only the harness holds this read end, so its O_NONBLOCK flag concerns nobody else. */
    if (set_status_flag(p->read_fd, O_NONBLOCK) != 0) {
        snprintf(err, err_size, "fcntl(O_NONBLOCK): %s", strerror(errno));
        log_pipe_close(p);
        return -1;
    }
    if (requested > 0)
        (void)platform_pipe_set_capacity(p->write_fd,
                                         requested); /* refused or absent: measured below */
    /* The harness's own write end, for POLLOUT only: it shares the child's open file
     * description, so it is never written and its flags are never changed. Close-on-exec keeps
     * it out of the child. It also means the read end never sees end-of-file while the harness
     * runs; the readers are stopped explicitly, never by EOF. */
    p->probe_fd = fcntl(p->write_fd, F_DUPFD_CLOEXEC, 3);

    struct stat st;
    if (fstat(p->read_fd, &st) == 0)
        p->inode = (unsigned long long)st.st_ino;

    p->scratch_capacity = log_pipe_measure_scratch(requested);
    long direct = platform_pipe_capacity(p->write_fd);
    if (direct > 0) {
        p->capacity = direct;
        p->capacity_source = "F_GETPIPE_SZ";
    } else {
        p->capacity = p->scratch_capacity;
        p->capacity_source = "measured";
    }
    if (p->capacity <= 0) {
        snprintf(err, err_size, "cannot determine the pipe capacity");
        log_pipe_close(p);
        return -1;
    }
    return 0;
}

void log_pipe_close_write(log_pipe *p)
{
    if (p->write_fd >= 0) {
        close(p->write_fd);
        p->write_fd = -1;
    }
}

void log_pipe_close_read(log_pipe *p)
{
    if (p->read_fd >= 0) {
        close(p->read_fd);
        p->read_fd = -1;
    }
}

void log_pipe_close(log_pipe *p)
{
    log_pipe_close_write(p);
    if (p->probe_fd >= 0) {
        close(p->probe_fd);
        p->probe_fd = -1;
    }
    log_pipe_close_read(p);
}

long log_pipe_pending(const log_pipe *p)
{
    if (p->read_fd < 0)
        return -1;
    return platform_pending_bytes(p->read_fd);
}

long log_pipe_full_slack(long capacity)
{
    long slack = 4096;
    if (slack > capacity / 4)
        slack = capacity / 4;
    return slack;
}

bool log_pipe_level_is_full(long pending, long capacity)
{
    if (pending < 0 || capacity <= 0)
        return false;
    return pending >= capacity - log_pipe_full_slack(capacity);
}

int log_pipe_has_room(const log_pipe *p)
{
    if (p->read_fd < 0 || p->probe_fd < 0)
        return -1;
    struct pollfd pfd = {p->probe_fd, POLLOUT, 0};
    int n;
    do {
        n = poll(&pfd, 1, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0 || (pfd.revents & (POLLERR | POLLNVAL)))
        return -1; /* POLLERR: no reader any more */
    return (pfd.revents & POLLOUT) ? 1 : 0;
}

bool log_pipe_is_full(const log_pipe *p)
{
    if (log_pipe_has_room(p) == 0)
        return true;
    return log_pipe_level_is_full(log_pipe_pending(p), p->capacity);
}

size_t log_pipe_read_tail(log_pipe *p, char *out, size_t out_size)
{
    size_t kept = 0;
    size_t total = 0;
    if (out_size == 0)
        return 0;
    out[0] = '\0';
    if (p->read_fd < 0)
        return 0;
    char chunk[4096];
    for (;;) {
        ssize_t n = read(p->read_fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        total += (size_t)n;
        size_t room = out_size - 1;
        size_t take = (size_t)n;
        if (take >= room) {
            memcpy(out, chunk + take - room, room);
            kept = room;
        } else {
            if (kept + take > room) {
                size_t drop = kept + take - room;
                memmove(out, out + drop, kept - drop);
                kept -= drop;
            }
            memcpy(out + kept, chunk, take);
            kept += take;
        }
        out[kept] = '\0';
        if (total > 256L * 1024 * 1024)
            break; /* a child that writes faster than we read: enough is enough */
    }
    return total;
}
