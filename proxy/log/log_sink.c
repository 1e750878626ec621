/* log_sink.c: non-blocking writes to a log fd whose flags belong to someone else; see
 * log_sink.h for the choice of technique per kind of fd. */
#include "log/log_sink.h"

#include "platform/platform.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef MSG_DONTWAIT
static int is_stream_socket(int fd)
{
    int type = 0;
    socklen_t size = sizeof type;
    return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &size) == 0 && type == SOCK_STREAM;
}
#endif

void log_sink_open(log_sink *sink, int fd)
{
    sink->fd = fd;
    sink->private_fd = -1;
    sink->atomic_bytes = platform_pipe_atomic_bytes();
    sink->mode = LOG_SINK_POLL_THEN_ATOMIC;

    struct stat st;
    if (fstat(fd, &st) != 0)
        return; /* the first write reports the error */
    if (S_ISREG(st.st_mode) || (S_ISCHR(st.st_mode) && !isatty(fd))) {
        sink->mode = LOG_SINK_WRITE_FREELY;
    } else if (S_ISFIFO(st.st_mode)) {
        int private_fd = platform_open_private_nonblocking_pipe(fd);
        if (private_fd >= 0) {
            sink->private_fd = private_fd;
            sink->mode = LOG_SINK_PRIVATE_NONBLOCKING;
        }
    } else if (S_ISSOCK(st.st_mode)) {
#ifdef MSG_DONTWAIT
        if (is_stream_socket(fd))
            sink->mode = LOG_SINK_SEND_DONTWAIT;
#endif
    }
    /* Terminals stay in poll-then-atomic mode: a stopped terminal (^S) never drains. */
}

void log_sink_close(log_sink *sink)
{
    if (sink->private_fd >= 0)
        close(sink->private_fd);
    sink->private_fd = -1;
}

static int is_would_block(int err)
{
    return err == EAGAIN || err == EWOULDBLOCK;
}

/* One write attempt, retried only on EINTR. */
static ssize_t write_once(const log_sink *sink, const char *data, size_t len)
{
    for (;;) {
        ssize_t n;
#ifdef MSG_DONTWAIT
        if (sink->mode == LOG_SINK_SEND_DONTWAIT)
            n = send(sink->fd, data, len, MSG_DONTWAIT);
        else
#endif
            n = write(sink->private_fd >= 0 ? sink->private_fd : sink->fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        return n;
    }
}

/* 1 when the fd is writable or has an error condition a write will report, 0 on timeout,
 * -1 with errno set when the fd itself is invalid. */
static int wait_writable(const log_sink *sink, int wait_ms)
{
    struct pollfd p;
    p.fd = sink->private_fd >= 0 ? sink->private_fd : sink->fd;
    p.events = POLLOUT;
    p.revents = 0;
    int r = poll(&p, 1, wait_ms < 0 ? 0 : wait_ms);
    if (r < 0)
        return errno == EINTR ? 0 : -1;
    if (r == 0)
        return 0;
    if ((p.revents & POLLNVAL) && fcntl(p.fd, F_GETFD) < 0) {
        errno = EBADF;
        return -1;
    }
    /* POLLNVAL on an open fd: a device poll() cannot watch (terminals on some macOS
     * versions). Write anyway, in atomic-sized pieces. */
    return 1;
}

/* write_once(), with "would block" reported as 0 bytes. */
static ssize_t write_or_zero(const log_sink *sink, const char *data, size_t len)
{
    ssize_t n = write_once(sink, data, len);
    if (n < 0 && is_would_block(errno))
        return 0;
    return n;
}

ssize_t log_sink_write(const log_sink *sink, const char *data, size_t len, int wait_ms)
{
    if (len == 0)
        return 0;
    if (sink->mode == LOG_SINK_POLL_THEN_ATOMIC) {
        int ready = wait_writable(sink, wait_ms);
        if (ready <= 0)
            return ready;
        return write_or_zero(sink, data, len < sink->atomic_bytes ? len : sink->atomic_bytes);
    }
    /* Non-blocking (or never-waiting) writes: try first, wait only when the sink is full. A
     * regular file whose shared description someone else made non-blocking lands here too. */
    ssize_t n = write_once(sink, data, len);
    if (n >= 0 || !is_would_block(errno))
        return n;
    int ready = wait_writable(sink, wait_ms);
    if (ready <= 0)
        return ready;
    if (sink->mode == LOG_SINK_WRITE_FREELY && len > sink->atomic_bytes)
        len = sink->atomic_bytes; /* a shared non-blocking description: stay atomic-sized */
    return write_or_zero(sink, data, len);
}

int log_sink_error_is_permanent(int err)
{
    return err == EPIPE || err == EBADF || err == ECONNRESET || err == ENOTCONN || err == ENXIO;
}

void log_sink_block_sigpipe(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

void log_sink_consume_sigpipe(void)
{
    sigset_t only_sigpipe;
    sigemptyset(&only_sigpipe);
    sigaddset(&only_sigpipe, SIGPIPE);
#if KIRO_HAVE_SIGTIMEDWAIT
    /* Takes it if pending, never waits. */
    const struct timespec no_wait = {0, 0};
    while (sigtimedwait(&only_sigpipe, NULL, &no_wait) == SIGPIPE) {
    }
#else
    /* macOS (and the portable build) has no sigtimedwait(): look first, then take it;
     * SIGPIPE is blocked here. */
    sigset_t pending;
    int sig;
    if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE))
        sigwait(&only_sigpipe, &sig);
#endif
}

const char *log_sink_mode_name(log_sink_mode mode)
{
    switch (mode) {
    case LOG_SINK_WRITE_FREELY:
        return "write-freely";
    case LOG_SINK_PRIVATE_NONBLOCKING:
        return "private-nonblocking";
    case LOG_SINK_SEND_DONTWAIT:
        return "send-dontwait";
    case LOG_SINK_POLL_THEN_ATOMIC:
        return "poll-then-atomic";
    }
    return "unknown";
}
