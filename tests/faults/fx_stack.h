/* fx_stack.h: fake-kiro plus one proxy build whose stdout and stderr the fault case owns: a log
 * pipe read by fx_logpipe, /dev/full, or a pipe on stdout with fd 2 closed. Keys, credentials
 * and a private temporary directory as in tests/support/stack.c, but the proxy's output never
 * goes to a file. fx_stack_free() kills and reaps everything. */
#ifndef FX_STACK_H
#define FX_STACK_H

#include <sys/types.h>

#include "fx_logpipe.h"

#define FX_API_KEY "sk-faults-api-key-0123456789"
#define FX_ADMIN_KEY "faults-admin-key-0123456789"
/* Access tokens of fx_credentials_json(); fake-kiro faults can name them. */
#define FX_TOKEN_ONE "faults-access-one-0123456789abcdef"
#define FX_TOKEN_TWO "faults-access-two-0123456789abcdef"

typedef enum {
    FX_SINK_PIPE,       /* stdout+stderr on the test's pipe */
    FX_SINK_DEVFULL,    /* stdout+stderr on /dev/full */
    FX_SINK_FD2_CLOSED, /* stdout on the test's pipe (drained), fd 2 closed at exec */
} fx_sink;

typedef struct fx_stack_opts {
    const char *proxy;              /* build name in the bin directory */
    const char *const *fake_args;   /* extra fake-kiro flags, NULL-terminated */
    const char *const *proxy_args;  /* extra proxy flags, NULL-terminated */
    const char *credentials_json;   /* NULL: one credential (FX_TOKEN_ONE) valid until 2099 */
    fx_sink sink;
    fx_read_mode reader;            /* FX_SINK_PIPE: the reader from the start */
    long reader_arg;
} fx_stack_opts;

typedef struct fx_stack {
    char dir[128];
    char credentials_path[256];
    pid_t fake_pid, proxy_pid;
    int proxy_reaped;
    int proxy_status;   /* when proxy_reaped */
    char fake_url[64];
    char proxy_url[64];
    fx_logpipe *log;    /* NULL with FX_SINK_DEVFULL */
    fx_sink sink;
} fx_stack;

/* Credentials: n = 1 or 2 (FX_TOKEN_ONE, FX_TOKEN_TWO), expiring expires_in_s from now
 * (negative: already expired). Writes into out. */
void fx_credentials_json(int n, long expires_in_s, char *out, size_t size);

/* Starts fake-kiro and the proxy, waits until the proxy answers /health. 0 or -1 (err set). */
int fx_stack_start(fx_stack *s, const fx_stack_opts *o, char *err, size_t err_size);

/* 1 while the proxy runs (reaps it and keeps its status once it has exited). */
int fx_stack_proxy_alive(fx_stack *s);

/* Sends SIGTERM to the proxy only, waits up to grace_ms. 0 when it exited (status and the time
 * from signal to reap returned), -1 when it did not (still running). */
int fx_stack_term_proxy(fx_stack *s, int grace_ms, int *status, long long *elapsed_ms);

/* Kills (SIGKILL) and reaps whatever still runs, frees the pipe, removes the directory. */
void fx_stack_free(fx_stack *s);

/* Number of open fds of the proxy (/proc/PID/fd), or -1 where unavailable. */
int fx_stack_proxy_fd_count(const fx_stack *s);

#endif
