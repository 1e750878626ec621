/* child.c: fork/exec on pipes, the signal self-pipe, forwarding and reaping; see child.h. */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/platform.h"

static const int relayed_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGCHLD};
enum { RELAYED_SIGNAL_COUNT = sizeof relayed_signals / sizeof relayed_signals[0] };

/* The self-pipe: written by the handlers, read by the main loop. -1 when not installed. */
static int signal_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
    int saved = errno;
    unsigned char byte = (unsigned char)sig;
    ssize_t ignored = write(signal_pipe[1], &byte, 1); /* non-blocking: a full pipe loses
                                                          nothing, a wake-up is pending anyway */
    (void)ignored;
    errno = saved;
}

static int set_flags(int fd, int fd_flags, int status_flags)
{
    int fdf = fcntl(fd, F_GETFD), fl = fcntl(fd, F_GETFL);
    if (fdf < 0 || fl < 0)
        return -1;
    if (fcntl(fd, F_SETFD, fdf | fd_flags) != 0 || fcntl(fd, F_SETFL, fl | status_flags) != 0)
        return -1;
    return 0;
}

int child_signals_install(void)
{
    if (pipe(signal_pipe) != 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        if (set_flags(signal_pipe[i], FD_CLOEXEC, O_NONBLOCK) != 0) {
            child_signals_restore();
            return -1;
        }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    for (int i = 0; i < RELAYED_SIGNAL_COUNT; i++)
        sigaction(relayed_signals[i], &sa, NULL);
    return signal_pipe[0];
}

void child_signals_restore(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < RELAYED_SIGNAL_COUNT; i++)
        sigaction(relayed_signals[i], &sa, NULL);
    for (int i = 0; i < 2; i++) {
        if (signal_pipe[i] >= 0)
            close(signal_pipe[i]);
        signal_pipe[i] = -1;
    }
}

int child_signals_next(int signal_fd)
{
    unsigned char byte;
    ssize_t n = read(signal_fd, &byte, 1);
    return n == 1 ? byte : 0;
}

/* In the child after fork: only async-signal-safe calls until exec. */
static void exec_child(char *const argv[], int out_pipe[2], int err_pipe[2],
                       int own_process_group)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < RELAYED_SIGNAL_COUNT; i++)
        sigaction(relayed_signals[i], &sa, NULL);
    sigaction(SIGPIPE, &sa, NULL); /* the command gets the usual SIGPIPE behaviour */
    if (own_process_group)
        setpgid(0, 0);
    if (dup2(out_pipe[1], STDOUT_FILENO) < 0 || dup2(err_pipe[1], STDERR_FILENO) < 0)
        _exit(127);
    close(out_pipe[0]);
    close(out_pipe[1]);
    close(err_pipe[0]);
    close(err_pipe[1]);
    execvp(argv[0], argv);
    static const char msg[] = "logrelay: cannot run the command\n";
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
    _exit(errno == ENOENT ? 127 : 126);
}

int child_spawn(struct child *c, char *const argv[], int own_process_group)
{
    *c = (struct child){.pid = -1, .stdout_fd = -1, .stderr_fd = -1,
                        .own_process_group = own_process_group};
    int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
    if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0)
        goto fail;
    /* Larger pipes mean fewer wake-ups at high rates; best effort (Linux only). */
    platform_pipe_set_capacity(out_pipe[0], 1 << 20);
    platform_pipe_set_capacity(err_pipe[0], 1 << 20);
    if (set_flags(out_pipe[0], FD_CLOEXEC, O_NONBLOCK) != 0 ||
        set_flags(err_pipe[0], FD_CLOEXEC, O_NONBLOCK) != 0)
        goto fail;
    pid_t pid = fork();
    if (pid < 0)
        goto fail;
    if (pid == 0)
        exec_child(argv, out_pipe, err_pipe, own_process_group);
    if (own_process_group)
        setpgid(pid, pid); /* also in the parent, so that a signal sent right away finds it */
    close(out_pipe[1]);
    close(err_pipe[1]);
    c->pid = pid;
    c->stdout_fd = out_pipe[0];
    c->stderr_fd = err_pipe[0];
    return 0;
fail:;
    int saved = errno;
    for (int i = 0; i < 2; i++) {
        if (out_pipe[i] >= 0)
            close(out_pipe[i]);
        if (err_pipe[i] >= 0)
            close(err_pipe[i]);
    }
    errno = saved;
    return -1;
}

void child_forward_signal(struct child *c, int sig)
{
    if (c->pid <= 0 || c->exited)
        return;
    if (c->own_process_group && kill(-c->pid, sig) == 0)
        return;
    kill(c->pid, sig); /* no group (yet): the child itself */
}

int child_reap(struct child *c)
{
    if (c->exited)
        return 1;
    if (c->pid <= 0)
        return 0;
    int status;
    pid_t r;
    do {
        r = waitpid(c->pid, &status, WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r != c->pid)
        return 0;
    c->exited = 1;
    if (WIFEXITED(status))
        c->exit_status = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        c->exit_status = 128 + WTERMSIG(status);
    else
        c->exit_status = 1;
    return 1;
}
