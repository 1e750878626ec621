/* bench_capture.c: run a program with a deadline and keep its stdout; see bench_capture.h. */
#include "bench_capture.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_watchdog.h"
#include "proc.h"
#include "util/clock.h"

enum { KEEP_MAX = 1 << 20, STOP_GRACE_MS = 1000 };

static void keep(bench_capture *c, const char *data, size_t n)
{
    if (c->len + n > KEEP_MAX)
        n = KEEP_MAX - c->len;
    char *grown = realloc(c->output, c->len + n + 1);
    if (!grown)
        return;
    memcpy(grown + c->len, data, n);
    c->output = grown;
    c->len += n;
    c->output[c->len] = '\0';
}

int bench_capture_run(char *const argv[], int timeout_ms, bench_capture *out)
{
    memset(out, 0, sizeof *out);
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    pid_t pid = tp_spawn(argv, fds[1], STDERR_FILENO);
    close(fds[1]);
    if (pid <= 0) {
        close(fds[0]);
        return -1;
    }
    bench_watchdog_track(pid);
    int64_t end = clock_monotonic_ms() + timeout_ms;
    for (;;) {
        int64_t left = end - clock_monotonic_ms();
        if (left <= 0)
            break;
        struct pollfd p = {fds[0], POLLIN, 0};
        int r = poll(&p, 1, left > 1000 ? 1000 : (int)left);
        if (r < 0 && errno != EINTR)
            break;
        if (r <= 0)
            continue;
        char buf[4096];
        ssize_t n = read(fds[0], buf, sizeof buf);
        if (n > 0)
            keep(out, buf, (size_t)n);
        else if (n == 0 || errno != EINTR)
            break; /* EOF: it is exiting */
    }
    close(fds[0]);
    int64_t left = end - clock_monotonic_ms();
    int status = 0;
    if (left > 0 && tp_wait_exit(pid, (int)left, &status) == 0) {
        out->exited = 1;
    } else {
        status = tp_stop(pid, STOP_GRACE_MS);
    }
    bench_watchdog_untrack(pid);
    out->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (!out->output)
        keep(out, "", 0);
    return 0;
}

void bench_capture_free(bench_capture *c)
{
    free(c->output);
    memset(c, 0, sizeof *c);
}
