/* sink.c: non-blocking writes to a destination whose flags belong to someone else; see sink.h. */
#include "sink.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/platform.h"

/* Without MSG_NOSIGNAL (macOS, the portable build) a vanished peer raises SIGPIPE, which the
 * caller ignores (platform_ignore_sigpipe): send() then fails with EPIPE all the same. */
#if KIRO_HAVE_MSG_NOSIGNAL
#define SINK_SEND_FLAGS (MSG_DONTWAIT | MSG_NOSIGNAL)
#else
#define SINK_SEND_FLAGS MSG_DONTWAIT
#endif

void sink_open(struct sink *s, int fd)
{
    *s = (struct sink){.fd = fd, .owned_fd = -1, .mode = SINK_FILE};
    struct stat st;
    if (fstat(fd, &st) != 0) {
        s->mode = SINK_POLLED_ATOMIC; /* unknown: the cautious way */
        return;
    }
    if (S_ISSOCK(st.st_mode)) {
        s->mode = SINK_SOCKET;
    } else if (S_ISFIFO(st.st_mode)) {
        int private_fd = platform_open_private_nonblocking_pipe(fd);
        if (private_fd >= 0) {
            s->fd = s->owned_fd = private_fd;
            s->mode = SINK_NONBLOCKING_REOPEN;
        } else {
            s->mode = SINK_POLLED_ATOMIC;
        }
    } else if (isatty(fd)) {
        s->mode = SINK_POLLED_ATOMIC;
    }
}

void sink_close(struct sink *s)
{
    if (s->owned_fd >= 0)
        close(s->owned_fd);
    s->owned_fd = -1;
}

int sink_wants_pollout(const struct sink *s)
{
    if (s->gone)
        return 0;
    if (s->mode == SINK_POLLED_ATOMIC)
        return !s->poll_ready;
    return s->needs_pollout;
}

void sink_note_pollout(struct sink *s)
{
    s->poll_ready = 1;
    s->needs_pollout = 0;
}

int sink_poll_again(struct sink *s)
{
    if (s->gone || s->mode != SINK_POLLED_ATOMIC)
        return 0;
    struct pollfd p = {.fd = s->fd, .events = POLLOUT};
    int n;
    do {
        n = poll(&p, 1, 0);
    } while (n < 0 && errno == EINTR);
    if (n > 0 && p.revents != 0)
        sink_note_pollout(s); /* POLLERR/POLLHUP too: the next write reports it */
    return s->poll_ready;
}

int sink_can_write(const struct sink *s)
{
    if (s->gone)
        return 0;
    if (s->mode == SINK_POLLED_ATOMIC)
        return s->poll_ready;
    return !s->needs_pollout;
}

size_t sink_write_limit(const struct sink *s)
{
    return s->mode == SINK_POLLED_ATOMIC ? platform_pipe_atomic_bytes() : SIZE_MAX;
}

static ssize_t write_segments(struct sink *s, const struct iovec *segments, int count)
{
    if (s->mode == SINK_SOCKET) {
        struct msghdr msg = {.msg_iov = (struct iovec *)segments, .msg_iovlen = count};
        return sendmsg(s->fd, &msg, SINK_SEND_FLAGS);
    }
    if (s->mode == SINK_POLLED_ATOMIC) {
        /* One write of at most PIPE_BUF after POLLOUT: never blocks. Only the first segment. */
        size_t len = segments[0].iov_len;
        if (len > platform_pipe_atomic_bytes())
            len = platform_pipe_atomic_bytes();
        return write(s->fd, segments[0].iov_base, len);
    }
    return writev(s->fd, segments, count);
}

ssize_t sink_write(struct sink *s, const struct iovec *segments, int count)
{
    if (!sink_can_write(s))
        return s->gone ? -1 : 0;
    while (count > 0 && segments[0].iov_len == 0)
        segments++, count--;
    if (count == 0)
        return 0;
    ssize_t n;
    do {
        n = write_segments(s, segments, count);
    } while (n < 0 && errno == EINTR);
    s->poll_ready = 0;
    if (n >= 0)
        return n;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
        s->needs_pollout = 1;
        return 0;
    }
    s->gone = 1;
    s->error = errno;
    return -1;
}
