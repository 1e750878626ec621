/* shutdown.c: a self-pipe stop signal and waits that watch it and the client; see shutdown.h. */
#include "shutdown.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/clock.h"

static int set_flags(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)
        return -1;
    int fdfl = fcntl(fd, F_GETFD);
    if (fdfl < 0 || fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC) != 0)
        return -1;
    return 0;
}

int fk_shutdown_init(fk_shutdown *s)
{
    int fds[2];
    s->read_fd = s->write_fd = -1;
    if (pipe(fds) != 0)
        return -1;
    if (set_flags(fds[0]) != 0 || set_flags(fds[1]) != 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    s->read_fd = fds[0];
    s->write_fd = fds[1];
    return 0;
}

void fk_shutdown_destroy(fk_shutdown *s)
{
    if (s->read_fd >= 0)
        close(s->read_fd);
    if (s->write_fd >= 0)
        close(s->write_fd);
    s->read_fd = s->write_fd = -1;
}

void fk_shutdown_request(const fk_shutdown *s)
{
    /* The byte is never read, so the pipe stays readable for every later poll(). A full pipe
     * (EAGAIN) means it is already readable, which is all we need. */
    int saved = errno;
    ssize_t ignored = write(s->write_fd, "x", 1);
    (void)ignored;
    errno = saved;
}

int fk_shutdown_wait(const fk_shutdown *s, int ms)
{
    struct pollfd p = {.fd = s->read_fd, .events = POLLIN, .revents = 0};
    int rc = poll(&p, 1, ms < 0 ? 0 : ms);
    return rc > 0 && (p.revents & POLLIN);
}

int fk_shutdown_requested(const fk_shutdown *s)
{
    return fk_shutdown_wait(s, 0);
}

/* Looks at a socket poll() flagged: 1 when the peer has closed or reset it, 0 when it only sent
 * more data (a pipelined request), which says nothing about it leaving. */
static int client_left(int fd, short revents)
{
    if (revents & (POLLHUP | POLLERR | POLLNVAL))
        return 1;
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0)
        return 1;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        return 1;
    return 0;
}

fk_wait_result fk_wait(const fk_shutdown *s, int client_fd, long ms)
{
    int64_t deadline = ms < 0 ? 0 : clock_monotonic_ms() + ms;
    int watch_client = client_fd >= 0;
    for (;;) {
        long slice = FK_WAIT_SLICE_MS;
        if (ms >= 0) {
            int64_t left = deadline - clock_monotonic_ms();
            if (left <= 0)
                return FK_WAIT_ELAPSED;
            if (left < slice)
                slice = (long)left;
        }
        struct pollfd p[2] = {
            {.fd = s->read_fd, .events = POLLIN, .revents = 0},
            {.fd = watch_client ? client_fd : -1, .events = POLLIN, .revents = 0},
        };
        int rc = poll(p, 2, (int)slice);
        if (rc < 0 && errno != EINTR)
            return FK_WAIT_SHUTDOWN; /* poll itself failing: stop rather than spin */
        if (rc <= 0)
            continue;
        if (p[0].revents & POLLIN)
            return FK_WAIT_SHUTDOWN;
        if (watch_client && p[1].revents) {
            if (client_left(client_fd, p[1].revents))
                return FK_WAIT_CLIENT_GONE;
            watch_client = 0; /* readable with data: stop watching, or we would spin */
        }
    }
}
