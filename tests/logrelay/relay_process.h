/* relay_process.h: helpers for the logrelay process tests, in the libuv test style: spawn
 * logrelay (with relay_test_child as its command) on pipes, bound every wait by a deadline,
 * always reap, and kill whatever is left when a watchdog fires so that a hang fails the test
 * instead of hanging CI. All descriptors made here are close-on-exec. */
#ifndef LOGRELAY_TEST_RELAY_PROCESS_H
#define LOGRELAY_TEST_RELAY_PROCESS_H

#include <stdint.h>
#include <sys/types.h>

#include "relay_stats.h"
#include "util/buf.h"

/* Starts an alarm(seconds) watchdog that SIGKILLs every process spawned here, then fails. */
void relay_watchdog_start(unsigned seconds);
/* Kills (SIGKILL) and reaps every spawned process still running; resets the registry. */
void relay_kill_all(void);

/* A pipe whose both ends are close-on-exec. Fails the test on error. */
void relay_pipe(int fds[2]);

/* Runs logrelay with relay_args (NULL-terminated), then "--", relay_test_child and child_args
 * (NULL-terminated). stdin_fd/stdout_fd/stderr_fd become its 0/1/2 (-1: /dev/null);
 * notify_fd (or -1) becomes its fd 3, inherited by the child ("notify 3"). */
pid_t relay_spawn(const char *const relay_args[], const char *const child_args[], int stdin_fd,
                  int stdout_fd, int stderr_fd, int notify_fd);

/* Waits at most timeout_ms for pid to exit. Returns the exit code, 128 + signal, or -1 on
 * timeout (the process is then left for relay_kill_all). */
int relay_wait_exit(pid_t pid, int timeout_ms);

/* Whether pid is still running (not reaped). */
int relay_is_running(pid_t pid);

/* Reads fd into out until needle appears (returns 1), EOF or timeout (returns 0). */
int relay_read_until(int fd, kbuf *out, const char *needle, int timeout_ms);

/* Reads fd into out until EOF. Returns 1 at EOF, 0 on timeout. */
int relay_read_to_eof(int fd, kbuf *out, int timeout_ms);

/* Parses logrelay's --stats-json file. Returns 0, or -1 if missing or malformed. */
int relay_load_stats(const char *path, struct relay_stats *stats);

/* A fresh temporary directory (path written to dir, dir_size bytes) and its cleanup. */
void relay_temp_dir(char *dir, size_t dir_size);
void relay_remove_temp_dir(const char *dir);

#endif
