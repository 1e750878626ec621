/* fx_spawn.h: child processes of a fault case with exactly the stdout/stderr the case wants
 * (a pipe it owns, /dev/full, /dev/null, or a closed fd), in their own process group, killed
 * with the test on Linux (PR_SET_PDEATHSIG), tracked by the watchdog, always reaped. */
#ifndef FX_SPAWN_H
#define FX_SPAWN_H

#include <sys/types.h>

#define FX_FD_CLOSED (-1)  /* the child starts with this fd closed */
#define FX_FD_DEVNULL (-2) /* the child gets /dev/null */

/* Spawns argv[0]; out_fd/err_fd become the child's fd 1 and 2 (or FX_FD_*). Every other fd
 * above 2 is closed in the child. SIGPIPE is reset to default, as a launcher would leave it.
 * Must be called from the main thread (the death signal follows the forking thread).
 * Returns the pid or -1. */
pid_t fx_spawn(char *const argv[], int out_fd, int err_fd);

/* Waits up to timeout_ms for pid to exit; 0 and the wait status, or -1 on timeout. */
int fx_wait_exit(pid_t pid, int timeout_ms, int *status);

/* 1 while pid has not exited (reaps it, keeping its status, when it has). */
int fx_alive(pid_t pid, int *status);

/* SIGKILL to the group, then reap (bounded). */
void fx_kill(pid_t pid);

/* Describes a wait status: "exited 0", "killed by SIGPIPE", ... */
void fx_describe_status(int status, char *out, size_t size);

#endif
