/* bench_stack.h: the processes a bench runs: one fake-kiro (the upstream emulator) and any
 * number of proxy builds in front of it, each with its stdout and stderr on a log pipe that
 * the bench drains or stalls (or on /dev/null).
 *
 * Children are spawned with tests/support/proc.h (own process group, SIGTERM then SIGKILL,
 * always reaped) and registered with the watchdog while they live. */
#ifndef KIRO_BENCH_STACK_H
#define KIRO_BENCH_STACK_H

#include <sys/types.h>

#include "bench_pipe.h"

#define BENCH_API_KEY "sk-bench-api-key-0123456789"
#define BENCH_ADMIN_KEY "adm-bench-admin-key-0123456789"
#define BENCH_ACCESS_TOKEN "a-token-0123456789abcdef"

typedef struct bench_env {
    char dir[128];          /* private temporary directory */
    char credentials[256];  /* credentials file inside it */
    pid_t fake_pid;
    int fake_port;
    char fake_url[64];
    int proxies_started;
} bench_env;

/* Makes the directory and credentials and starts fake-kiro with extra_args (NULL-terminated,
 * may be NULL). Returns 0 or -1 (everything already cleaned up). */
int bench_env_start(bench_env *e, const char *const *fake_args);
void bench_env_stop(bench_env *e);

typedef enum {
    BENCH_SINK_DEVNULL,
    BENCH_SINK_DRAINED,
    BENCH_SINK_STALLED,
} bench_sink;

const char *bench_sink_name(bench_sink sink);

typedef struct bench_proxy_options {
    const char *binary;            /* "kiro-proxy-async" or "kiro-proxy-blocking" */
    bench_sink sink;
    const char *log_level;         /* NULL: info */
    const char *const *extra_args; /* more proxy flags, NULL-terminated, may be NULL */
} bench_proxy_options;

typedef struct bench_proxy {
    pid_t pid;
    int port;
    char url[64];
    bench_sink sink;
    bench_pipe log; /* fds are -1 for BENCH_SINK_DEVNULL */
} bench_proxy;

/* Starts a proxy against e's fake-kiro and waits for /health. Returns 0 or -1. */
int bench_proxy_start(bench_proxy *p, bench_env *e, const bench_proxy_options *o);
void bench_proxy_stop(bench_proxy *p);

/* Any other server (the reference servers of bench-throughput): started as
 * `binary --listen 127.0.0.1:PORT args...` with its stdout and stderr on sink, ready once
 * ready_path answers anything. Stopped with bench_proxy_stop(). */
typedef struct bench_server_options {
    const char *binary;       /* in the binary directory (KIRO_BIN_DIR) */
    const char *const *args;  /* NULL-terminated, may be NULL */
    bench_sink sink;
    const char *ready_path;
} bench_server_options;

int bench_server_start(bench_proxy *p, const bench_server_options *o);

#endif
