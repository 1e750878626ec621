/* proc.c: child processes for integration tests; see proc.h. */
#include "proc.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "http.h"
#include "util/clock.h"

#ifndef KIRO_BIN_DIR
#error "KIRO_BIN_DIR must be defined by the build"
#endif

const char *tp_bin_dir(void)
{
    const char *env = getenv("KIRO_BIN_DIR");
    return env && *env ? env : KIRO_BIN_DIR;
}

void tp_bin_path(const char *name, char *out, size_t out_size)
{
    snprintf(out, out_size, "%s/%s", tp_bin_dir(), name);
}

tp_spawn_options tp_spawn_defaults(char *const argv[])
{
    tp_spawn_options o = {
        .argv = argv,
        .stdin_fd = TP_FD_DEVNULL,
        .stdout_fd = TP_FD_DEVNULL,
        .stderr_fd = TP_FD_DEVNULL,
        .fd3 = TP_FD_CLOSED,
        .own_group = 1,
    };
    return o;
}

/* Child side, between fork and exec: async-signal-safe calls only. */
static _Noreturn void child_exec(const tp_spawn_options *o, pid_t parent, int max_fd)
{
    if (o->own_group)
        setpgid(0, 0);
#ifdef __linux__
    if (o->die_with_parent) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127); /* the parent died before the death signal was armed */
    }
#endif
    (void)parent;
    /* Park the sources above 9 first, so that placing one never overwrites another. */
    int source[4] = {o->stdin_fd, o->stdout_fd, o->stderr_fd, o->fd3};
    for (int i = 0; i < 4; i++) {
        if (source[i] == TP_FD_DEVNULL)
            source[i] = open("/dev/null", O_RDWR);
        if (source[i] >= 0 && (source[i] = fcntl(source[i], F_DUPFD_CLOEXEC, 10)) < 0)
            _exit(126);
    }
    for (int i = 0; i < 4; i++) {
        if (source[i] < 0)
            close(i);
        else if (dup2(source[i], i) < 0) /* dup2 clears close-on-exec on the copy */
            _exit(126);
    }
    /* The parked copies are close-on-exec; so are most descriptors a test holds. */
    for (int fd = 4; o->close_others && fd < max_fd; fd++)
        close(fd);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &sa, NULL);
    alarm(0);
    execv(o->argv[0], o->argv);
    _exit(127);
}

pid_t tp_spawn_with(const tp_spawn_options *o)
{
    int max_fd = 4096;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < (rlim_t)max_fd)
        max_fd = (int)rl.rlim_cur;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        child_exec(o, parent, max_fd);
    if (o->own_group)
        setpgid(pid, pid); /* also here, so that a kill to the group right away reaches it */
    return pid;
}

pid_t tp_spawn(char *const argv[], int stdout_fd, int stderr_fd)
{
    tp_spawn_options o = tp_spawn_defaults(argv);
    o.stdout_fd = stdout_fd >= 0 ? stdout_fd : TP_FD_DEVNULL;
    o.stderr_fd = stderr_fd >= 0 ? stderr_fd : TP_FD_DEVNULL;
    return tp_spawn_with(&o);
}

int tp_wait_exit(pid_t pid, int timeout_ms, int *status)
{
    int64_t end = clock_monotonic_ms() + timeout_ms;
    for (;;) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid) {
            if (status)
                *status = st;
            return 0;
        }
        if (r < 0 && errno != EINTR)
            return -1;
        if (clock_monotonic_ms() >= end)
            return -1;
        sleep_ms(10);
    }
}

int tp_stop(pid_t pid, int grace_ms)
{
    if (pid <= 0)
        return -1;
    int st = 0;
    kill(-pid, SIGTERM);
    kill(pid, SIGTERM);
    if (tp_wait_exit(pid, grace_ms, &st) == 0) {
        kill(-pid, SIGKILL); /* anything left in the group */
        return st;
    }
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return st;
}

int tp_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

int tp_wait_port_file(const char *path, int timeout_ms)
{
    int64_t end = clock_monotonic_ms() + timeout_ms;
    while (clock_monotonic_ms() < end) {
        FILE *f = fopen(path, "r");
        if (f) {
            int port = 0;
            int ok = fscanf(f, "%d", &port) == 1;
            fclose(f);
            if (ok && port > 0)
                return port;
        }
        sleep_ms(20);
    }
    return -1;
}

int tp_wait_http(const char *url, int timeout_ms)
{
    int64_t end = clock_monotonic_ms() + timeout_ms;
    while (clock_monotonic_ms() < end) {
        tp_response r;
        int rc = tp_http("GET", url, NULL, NULL, 0, 1000, &r);
        tp_response_free(&r);
        if (rc == 0)
            return 0;
        sleep_ms(30);
    }
    return -1;
}

int tp_temp_dir(char *out, size_t out_size)
{
    const char *base = getenv("TMPDIR");
    snprintf(out, out_size, "%s/kiro-test-XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(out) ? 0 : -1;
}

int tp_write_file(const char *dir, const char *name, const char *text, char *path_out,
                  size_t path_size)
{
    snprintf(path_out, path_size, "%s/%s", dir, name);
    FILE *f = fopen(path_out, "w");
    if (!f)
        return -1;
    size_t n = strlen(text);
    int ok = fwrite(text, 1, n, f) == n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

void tp_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[1024];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}
