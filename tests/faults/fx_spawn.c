/* fx_spawn.c: fork/exec of fault-case children with a chosen fd 1 and 2; see fx_spawn.h. */
#include "fx_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "fx_check.h"
#include "fx_watchdog.h"

/* Child side, between fork and exec: async-signal-safe calls only. */
static void place_fd(int want, int target, int devnull)
{
    if (want >= 0)
        dup2(want, target);
    else if (want == FX_FD_DEVNULL)
        dup2(devnull, target);
    else
        close(target);
}

static _Noreturn void child_exec(char *const argv[], int out_fd, int err_fd, pid_t parent,
                                 int max_fd)
{
    setpgid(0, 0);
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
#else
    (void)parent;
#endif
    int devnull = open("/dev/null", O_RDWR);
    if (devnull < 0)
        _exit(127);
    dup2(devnull, 0);
    place_fd(out_fd, 1, devnull);
    place_fd(err_fd, 2, devnull);
    for (int fd = 3; fd < max_fd; fd++)
        close(fd); /* includes devnull, the pipe ends and whatever the test process holds */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &sa, NULL);
    execv(argv[0], argv);
    _exit(127);
}

pid_t fx_spawn(char *const argv[], int out_fd, int err_fd)
{
    struct rlimit rl;
    int max_fd = 4096;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < (rlim_t)max_fd)
        max_fd = (int)rl.rlim_cur;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        child_exec(argv, out_fd, err_fd, parent, max_fd);
    setpgid(pid, pid);
    fx_watchdog_track(pid);
    return pid;
}

int fx_wait_exit(pid_t pid, int timeout_ms, int *status)
{
    long long end = fx_now_ms() + timeout_ms;
    for (;;) {
        int st = 0;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid) {
            fx_watchdog_untrack(pid);
            if (status)
                *status = st;
            return 0;
        }
        if (r < 0 && errno != EINTR)
            return -1;
        if (fx_now_ms() >= end)
            return -1;
        fx_sleep_ms(5);
    }
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
