/* proc.h: test helpers for child processes: spawn (with the descriptors a test chooses), wait
 * for a port file or an HTTP endpoint with a deadline, stop with SIGTERM then SIGKILL, always
 * reap.
 * Integration tests are shaped like libuv's: spawn, bound every wait, assert, always reap. */
#ifndef KIRO_TEST_PROC_H
#define KIRO_TEST_PROC_H

#include <sys/types.h>

/* Directory of the project's executables (build/bin), from the build. */
const char *tp_bin_dir(void);
/* Writes "<bin dir>/<name>" into out. */
void tp_bin_path(const char *name, char *out, size_t out_size);

/* What a child's descriptor 0..3 is, besides one of ours (>= 0). */
#define TP_FD_DEVNULL (-1) /* /dev/null */
#define TP_FD_CLOSED (-2)  /* closed when the child starts */

/* How to start a child: the one spawner of the tests (fake-kiro, the proxies, logrelay, fault
 * cases). Start from tp_spawn_defaults() and change what the test needs. */
typedef struct tp_spawn_options {
    char *const *argv; /* argv[0] is the program's path (no PATH search) */
    int stdin_fd;      /* each: one of our descriptors, TP_FD_DEVNULL or TP_FD_CLOSED */
    int stdout_fd;
    int stderr_fd;
    int fd3;             /* becomes the child's fd 3 (e.g. a notify pipe); default closed */
    int own_group;       /* 1 (default): the child leads a new process group (tp_stop kills it) */
    int close_others;    /* 1: every descriptor above 3 is closed in the child (default 0: only
                            close-on-exec ones go) */
    int die_with_parent; /* 1: Linux kills the child when the test process dies */
} tp_spawn_options;

/* stdin, stdout and stderr on /dev/null, no fd 3, a new process group. */
tp_spawn_options tp_spawn_defaults(char *const argv[]);

/* Forks and execs as o says, with an empty signal mask, SIGPIPE at its default and no pending
 * alarm (a test's watchdog is not inherited). Returns the pid or -1. */
pid_t tp_spawn_with(const tp_spawn_options *o);

/* tp_spawn_with() with argv and stdout/stderr (-1 = /dev/null) in a new process group. */
pid_t tp_spawn(char *const argv[], int stdout_fd, int stderr_fd);

/* Waits for pid to exit within timeout_ms. Returns 0 and the raw wait status, or -1 on timeout. */
int tp_wait_exit(pid_t pid, int timeout_ms, int *status);

/* SIGTERM to the group, then SIGKILL after grace_ms; always reaps. Returns the wait status. */
int tp_stop(pid_t pid, int grace_ms);

/* A TCP port that was free a moment ago on 127.0.0.1. */
int tp_free_port(void);

/* Polls until a file holds a positive integer (e.g. fake-kiro's --port-file). Returns it or -1. */
int tp_wait_port_file(const char *path, int timeout_ms);

/* Polls url until any HTTP answer arrives. Returns 0 or -1 on timeout. */
int tp_wait_http(const char *url, int timeout_ms);

/* A fresh private temporary directory (mkdtemp); out must hold 64 bytes. */
int tp_temp_dir(char *out, size_t out_size);
/* Writes text to dir/name; returns 0. The full path goes to path_out. */
int tp_write_file(const char *dir, const char *name, const char *text, char *path_out,
                  size_t path_size);
/* rm -r of a directory made by tp_temp_dir (only regular files inside). */
void tp_remove_dir(const char *dir);

#endif
