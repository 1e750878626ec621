/* fx_spawn.c: fault-case children with a chosen fd 1 and 2, through the tests' one spawner
 * (tests/support/proc.h); see fx_spawn.h. */
#include "fx_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fx_check.h"
#include "fx_watchdog.h"
#include "proc.h"

/* FX_FD_* to the shared spawner's TP_FD_*. */
static int child_fd(int want)
{
    if (want >= 0)
        return want;
    return want == FX_FD_DEVNULL ? TP_FD_DEVNULL : TP_FD_CLOSED;
}

pid_t fx_spawn(char *const argv[], int out_fd, int err_fd)
{
    tp_spawn_options o = tp_spawn_defaults(argv);
    o.stdout_fd = child_fd(out_fd);
    o.stderr_fd = child_fd(err_fd);
    o.close_others = 1;    /* the pipe ends and whatever the test process holds */
    o.die_with_parent = 1; /* killed with the test on Linux */
    pid_t pid = tp_spawn_with(&o);
    if (pid > 0)
        fx_watchdog_track(pid);
    return pid;
}

int fx_wait_exit(pid_t pid, int timeout_ms, int *status)
{
    if (tp_wait_exit(pid, timeout_ms, status) != 0)
        return -1;
    fx_watchdog_untrack(pid);
    return 0;
}

int fx_alive(pid_t pid, int *status)
{
    int st = 0;
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) {
        fx_watchdog_untrack(pid);
        if (status)
            *status = st;
        return 0;
    }
    return r == 0;
}

void fx_kill(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    if (fx_wait_exit(pid, 10000, NULL) != 0 && errno != ECHILD)
        fprintf(stderr, "fx_kill: pid %d not reaped within 10 s\n", (int)pid);
    fx_watchdog_untrack(pid);
}

void fx_describe_status(int status, char *out, size_t size)
{
    if (WIFEXITED(status))
        snprintf(out, size, "exited %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(out, size, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(out, size, "status 0x%x", status);
}
