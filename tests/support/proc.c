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
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "http.h"

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

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

pid_t tp_spawn(char *const argv[], int stdout_fd, int stderr_fd)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        setpgid(0, 0);
        int devnull = open("/dev/null", O_RDWR);
        dup2(devnull, 0);
        dup2(stdout_fd >= 0 ? stdout_fd : devnull, 1);
        dup2(stderr_fd >= 0 ? stderr_fd : devnull, 2);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        execv(argv[0], argv);
        _exit(127);
    }
    setpgid(pid, pid);
    return pid;
}

int tp_wait_exit(pid_t pid, int timeout_ms, int *status)
{
    long long end = now_ms() + timeout_ms;
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
        if (now_ms() >= end)
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
    long long end = now_ms() + timeout_ms;
    while (now_ms() < end) {
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
    long long end = now_ms() + timeout_ms;
    while (now_ms() < end) {
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
