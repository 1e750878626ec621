/* bench_stack.c: fake-kiro and proxy processes for the benches; see bench_stack.h. */
#include "bench_stack.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench_watchdog.h"
#include "proc.h"

enum { START_TIMEOUT_MS = 10000, STOP_GRACE_MS = 3000, START_ATTEMPTS = 3, ARGS_MAX = 48 };

static const char credentials_json[] =
    "[{\"id\":1,\"accessToken\":\"" BENCH_ACCESS_TOKEN "\",\"refreshToken\":"
    "\"r-token-0123456789abcdef\",\"expiresAt\":\"2099-01-01T00:00:00Z\","
    "\"authMethod\":\"social\"}]";

static int append_args(char **argv, int argc, const char *const *extra)
{
    for (size_t i = 0; extra && extra[i] && argc < ARGS_MAX - 1; i++)
        argv[argc++] = (char *)extra[i];
    argv[argc] = NULL;
    return argc;
}

static void stop_child(pid_t *pid)
{
    if (*pid <= 0)
        return;
    tp_stop(*pid, STOP_GRACE_MS);
    bench_watchdog_untrack(*pid);
    *pid = 0;
}

int bench_env_start(bench_env *e, const char *const *fake_args)
{
    memset(e, 0, sizeof *e);
    if (tp_temp_dir(e->dir, sizeof e->dir) != 0)
        return -1;
    if (tp_write_file(e->dir, "credentials.json", credentials_json, e->credentials,
                      sizeof e->credentials) != 0) {
        tp_remove_dir(e->dir);
        return -1;
    }
    char binary[512], port_file[256];
    tp_bin_path("fake-kiro", binary, sizeof binary);
    snprintf(port_file, sizeof port_file, "%s/fake.port", e->dir);
    char *argv[ARGS_MAX] = {binary, "--listen", "127.0.0.1:0", "--port-file", port_file};
    append_args(argv, 5, fake_args);
    e->fake_pid = tp_spawn(argv, -1, -1);
    if (e->fake_pid > 0)
        bench_watchdog_track(e->fake_pid);
    e->fake_port = e->fake_pid > 0 ? tp_wait_port_file(port_file, START_TIMEOUT_MS) : -1;
    if (e->fake_port <= 0) {
        fprintf(stderr, "bench: fake-kiro (%s) did not start\n", binary);
        bench_env_stop(e);
        return -1;
    }
    snprintf(e->fake_url, sizeof e->fake_url, "http://127.0.0.1:%d", e->fake_port);
    return 0;
}

void bench_env_stop(bench_env *e)
{
    stop_child(&e->fake_pid);
    if (e->dir[0])
        tp_remove_dir(e->dir);
    e->dir[0] = '\0';
}

const char *bench_sink_name(bench_sink sink)
{
    switch (sink) {
    case BENCH_SINK_DEVNULL:
        return "/dev/null";
    case BENCH_SINK_DRAINED:
        return "draining reader";
    case BENCH_SINK_STALLED:
        return "stalled pipe";
    }
    return "?";
}

/* One attempt on a port that was free a moment ago: binary --listen 127.0.0.1:PORT args...,
 * ready when ready_path answers. */
static int start_once(bench_proxy *p, const char *name, const char *const *args,
                      const char *ready_path)
{
    char binary[512], listen[64];
    tp_bin_path(name, binary, sizeof binary);
    p->port = tp_free_port();
    snprintf(listen, sizeof listen, "127.0.0.1:%d", p->port);
    char *argv[ARGS_MAX] = {binary, "--listen", listen};
    append_args(argv, 3, args);

    int out_fd = p->sink == BENCH_SINK_DEVNULL ? -1 : p->log.write_fd;
    p->pid = tp_spawn(argv, out_fd, out_fd);
    if (p->pid <= 0)
        return -1;
    bench_watchdog_track(p->pid);
    snprintf(p->url, sizeof p->url, "http://127.0.0.1:%d", p->port);
    char ready[160];
    snprintf(ready, sizeof ready, "%s%s", p->url, ready_path);
    if (tp_wait_http(ready, START_TIMEOUT_MS) == 0)
        return 0;
    stop_child(&p->pid);
    return -1;
}

static int start_with_sink(bench_proxy *p, bench_sink sink, const char *name,
                           const char *const *args, const char *ready_path)
{
    memset(p, 0, sizeof *p);
    p->sink = sink;
    p->log.read_fd = p->log.write_fd = -1;
    if (sink != BENCH_SINK_DEVNULL) {
        if (bench_pipe_open(&p->log) != 0)
            return -1;
        if (sink == BENCH_SINK_DRAINED && bench_pipe_start_draining(&p->log) != 0) {
            bench_pipe_close(&p->log);
            return -1;
        }
    }
    for (int attempt = 0; attempt < START_ATTEMPTS; attempt++)
        if (start_once(p, name, args, ready_path) == 0)
            return 0;
    fprintf(stderr, "bench: %s did not answer %s\n", name, ready_path);
    bench_proxy_stop(p);
    return -1;
}

int bench_proxy_start(bench_proxy *p, bench_env *e, const bench_proxy_options *o)
{
    char users[256];
    snprintf(users, sizeof users, "%s/users-%d.json", e->dir, ++e->proxies_started);
    const char *args[ARGS_MAX] = {"--api-key",     BENCH_API_KEY,   "--admin-key",
                                  BENCH_ADMIN_KEY, "--credentials", e->credentials,
                                  "--user-credentials", users,      "--upstream-url",
                                  e->fake_url,     "--auth-url",    e->fake_url,
                                  "--log-level",   o->log_level ? o->log_level : "info"};
    int argc = 14;
    for (size_t i = 0; o->extra_args && o->extra_args[i] && argc < ARGS_MAX - 4; i++)
        args[argc++] = o->extra_args[i];
    args[argc] = NULL;
    return start_with_sink(p, o->sink, o->binary, args, "/health");
}

int bench_server_start(bench_proxy *p, const bench_server_options *o)
{
    return start_with_sink(p, o->sink, o->binary, o->args, o->ready_path);
}

void bench_proxy_stop(bench_proxy *p)
{
    /* A stalled reader goes away first: the proxy's logger then sees EPIPE and its exit
     * flush ends at once instead of waiting out its deadline. */
    if (p->sink == BENCH_SINK_STALLED && p->log.read_fd >= 0) {
        close(p->log.read_fd);
        p->log.read_fd = -1;
    }
    stop_child(&p->pid);
    if (p->log.read_fd >= 0 || p->log.write_fd >= 0)
        bench_pipe_close(&p->log);
}
