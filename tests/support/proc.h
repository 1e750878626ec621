/* proc.h: test helpers for child processes: spawn in a process group, wait for a port file or an
 * HTTP endpoint with a deadline, stop with SIGTERM then SIGKILL, always reap.
 * Integration tests are shaped like libuv's: spawn, bound every wait, assert, always reap. */
#ifndef KIRO_TEST_PROC_H
#define KIRO_TEST_PROC_H

#include <sys/types.h>

/* Directory of the project's executables (build/bin), from the build. */
const char *tp_bin_dir(void);
/* Writes "<bin dir>/<name>" into out. */
void tp_bin_path(const char *name, char *out, size_t out_size);

/* Spawns argv[0] with argv in a new process group. stdout_fd/stderr_fd: -1 = /dev/null.
 * Returns the pid or -1. */
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
