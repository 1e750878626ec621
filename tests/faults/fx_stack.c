/* fx_stack.c: fake-kiro + a proxy on a test-owned log sink; see fx_stack.h. */
#include "fx_stack.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fx_check.h"
#include "fx_spawn.h"
#include "fx_watchdog.h"
#include "http.h"
#include "proc.h"

#define PIPE_SIZE 65536
#define READY_MS 15000

void fx_credentials_json(int n, long expires_in_s, char *out, size_t size)
{
    char when[40];
    time_t at = time(NULL) + expires_in_s;
    struct tm tm;
    gmtime_r(&at, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
#define CREDENTIAL_FMT                                                                      \
    "{\"id\":%d,\"accessToken\":\"%s\",\"refreshToken\":\"faults-refresh-%d-0123456789abcdef\","  \
    "\"expiresAt\":\"%s\",\"authMethod\":\"social\",\"profileArn\":"                          \
    "\"arn:aws:codewhisperer:us-east-1:000000000000:profile/FAULTS\"}"
    char one[512], two[512];
    snprintf(one, sizeof one, CREDENTIAL_FMT, 1, FX_TOKEN_ONE, 1, when);
    snprintf(two, sizeof two, CREDENTIAL_FMT, 2, FX_TOKEN_TWO, 2, when);
#undef CREDENTIAL_FMT
    if (n >= 2)
        snprintf(out, size, "[%s,%s]", one, two);
    else
        snprintf(out, size, "[%s]", one);
}

static int add_args(char **argv, int argc, int max, const char *const *extra)
{
    for (size_t i = 0; extra && extra[i] && argc < max - 1; i++)
        argv[argc++] = (char *)extra[i];
    return argc;
}

static int start_fake(fx_stack *s, const fx_stack_opts *o)
{
    char bin[512], port_file[256];
    tp_bin_path("fake-kiro", bin, sizeof bin);
    snprintf(port_file, sizeof port_file, "%s/fake.port", s->dir);
    char *argv[64] = {bin, "--listen", "127.0.0.1:0", "--port-file", port_file};
    int argc = add_args(argv, 5, 64, o->fake_args);
    argv[argc] = NULL;
    s->fake_pid = fx_spawn(argv, FX_FD_DEVNULL, FX_FD_DEVNULL);
    int port = s->fake_pid > 0 ? tp_wait_port_file(port_file, 10000) : -1;
    if (port <= 0)
        return -1;
    snprintf(s->fake_url, sizeof s->fake_url, "http://127.0.0.1:%d", port);
    return 0;
}

/* Polls /health until any answer; fails early when the proxy exits (port taken, bad flag). */
static int wait_ready(fx_stack *s)
{
    char url[128];
    snprintf(url, sizeof url, "%s/health", s->proxy_url);
    long long end = fx_now_ms() + READY_MS;
    while (fx_now_ms() < end) {
        if (!fx_stack_proxy_alive(s))
            return -1;
        tp_response r;
        int rc = tp_http("GET", url, NULL, NULL, 0, 1000, &r);
        tp_response_free(&r);
        if (rc == 0)
            return 0;
        fx_sleep_ms(25);
    }
    return -1;
}

/* One attempt on a fresh port and a fresh log pipe. */
static int start_proxy(fx_stack *s, const fx_stack_opts *o)
{
    char bin[512], listen[64], users[256];
    tp_bin_path(o->proxy, bin, sizeof bin);
    snprintf(users, sizeof users, "%s/users.json", s->dir);
    int port = tp_free_port();
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    snprintf(s->proxy_url, sizeof s->proxy_url, "http://127.0.0.1:%d", port);
    char *argv[64] = {bin, "--listen", listen, "--api-key", FX_API_KEY, "--admin-key",
                      FX_ADMIN_KEY, "--credentials", s->credentials_path, "--user-credentials",
                      users, "--upstream-url", s->fake_url, "--auth-url", s->fake_url};
    int argc = add_args(argv, 15, 64, o->proxy_args);
    argv[argc] = NULL;

    int out_fd = FX_FD_DEVNULL, err_fd = FX_FD_DEVNULL, devfull = -1;
    if (o->sink == FX_SINK_DEVFULL) {
        devfull = open("/dev/full", O_WRONLY | O_CLOEXEC);
        if (devfull < 0)
            return -1;
        out_fd = err_fd = devfull;
    } else {
        s->log = fx_logpipe_new(PIPE_SIZE);
        if (!s->log)
            return -1;
        fx_read_mode mode = o->sink == FX_SINK_PIPE ? o->reader : FX_READ_DRAIN;
        if (fx_logpipe_start(s->log, mode, o->reader_arg) != 0)
            return -1;
        out_fd = fx_logpipe_write_fd(s->log);
        err_fd = o->sink == FX_SINK_PIPE ? out_fd : FX_FD_CLOSED;
    }
    s->proxy_reaped = 0;
    s->proxy_pid = fx_spawn(argv, out_fd, err_fd);
    if (devfull >= 0)
        close(devfull);
    if (s->log)
        fx_logpipe_close_write_end(s->log);
    if (s->proxy_pid <= 0)
        return -1;
    return wait_ready(s);
}

int fx_stack_start(fx_stack *s, const fx_stack_opts *o, char *err, size_t err_size)
{
    memset(s, 0, sizeof *s);
    s->sink = o->sink;
    if (tp_temp_dir(s->dir, sizeof s->dir) != 0) {
        snprintf(err, err_size, "cannot create a temporary directory");
        s->dir[0] = '\0';
        return -1;
    }
    fx_watchdog_track_dir(s->dir);
    char creds[2048];
    if (!o->credentials_json)
        fx_credentials_json(1, 10L * 365 * 24 * 3600, creds, sizeof creds);
    if (tp_write_file(s->dir, "credentials.json", o->credentials_json ? o->credentials_json : creds,
                      s->credentials_path, sizeof s->credentials_path) != 0) {
        snprintf(err, err_size, "cannot write credentials.json");
        return -1;
    }
    if (start_fake(s, o) != 0) {
        snprintf(err, err_size, "fake-kiro did not start");
        return -1;
    }
    for (int attempt = 0; attempt < 3; attempt++) {
        if (start_proxy(s, o) == 0)
            return 0;
        if (s->proxy_pid > 0 && !s->proxy_reaped)
            fx_kill(s->proxy_pid);
        s->proxy_pid = 0;
        fx_logpipe_free(s->log);
        s->log = NULL;
    }
    snprintf(err, err_size, "%s did not answer /health within %d ms (3 attempts)", o->proxy,
             READY_MS);
    return -1;
}

int fx_stack_proxy_alive(fx_stack *s)
{
    if (s->proxy_pid <= 0 || s->proxy_reaped)
        return 0;
    int st = 0;
    if (fx_alive(s->proxy_pid, &st))
        return 1;
    s->proxy_reaped = 1;
    s->proxy_status = st;
    return 0;
}

int fx_stack_term_proxy(fx_stack *s, int grace_ms, int *status, long long *elapsed_ms)
{
    if (!fx_stack_proxy_alive(s)) {
        if (status)
            *status = s->proxy_status;
        if (elapsed_ms)
            *elapsed_ms = 0;
        return s->proxy_reaped ? 0 : -1;
    }
    long long t0 = fx_now_ms();
    kill(s->proxy_pid, SIGTERM);
    int st = 0;
    int rc = fx_wait_exit(s->proxy_pid, grace_ms, &st);
    if (elapsed_ms)
        *elapsed_ms = fx_now_ms() - t0;
    if (rc != 0)
        return -1;
    s->proxy_reaped = 1;
    s->proxy_status = st;
    kill(-s->proxy_pid, SIGKILL); /* anything left in its group */
    if (status)
        *status = st;
    return 0;
}

void fx_stack_free(fx_stack *s)
{
    if (s->proxy_pid > 0 && !s->proxy_reaped)
        fx_kill(s->proxy_pid);
    else if (s->proxy_pid > 0)
        kill(-s->proxy_pid, SIGKILL);
    if (s->fake_pid > 0) {
        kill(s->fake_pid, SIGTERM);
        if (fx_wait_exit(s->fake_pid, 5000, NULL) != 0)
            fx_kill(s->fake_pid);
    }
    s->proxy_pid = s->fake_pid = 0;
    fx_logpipe_free(s->log);
    s->log = NULL;
    if (s->dir[0]) {
        tp_remove_dir(s->dir);
        fx_watchdog_untrack_dir(s->dir);
    }
    s->dir[0] = '\0';
}

int fx_stack_proxy_fd_count(const fx_stack *s)
{
#ifdef __linux__
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)s->proxy_pid);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
#else
    (void)s;
    return -1;
#endif
}
