/* child.h: starts the relayed command on two pipes, forwards signals to it, reaps it.
 *
 * The child runs in a process group of its own (unless own_process_group is 0), and SIGINT,
 * SIGTERM and SIGHUP received by logrelay are forwarded to that whole group, so that a command
 * run through a shell wrapper stops with everything it started. Consequence on a terminal: the
 * child is not in the terminal's foreground group, so Ctrl-C reaches it only through logrelay
 * (once, not twice) and a child that reads the terminal is stopped (SIGTTIN): logrelay is meant
 * for launchers and services, not interactive programs. --no-process-group keeps the child in
 * logrelay's group and forwards to the child's pid only.
 *
 * Signals are turned into bytes on a self-pipe that the main loop polls (the handlers do nothing
 * else); SIGCHLD is one of them, so the loop wakes when the child exits even if the child's
 * descendants keep its pipes open. The self-pipe is the only process-wide state here:
 * child_signals_install sets it up and child_signals_restore undoes it. */
#ifndef LOGRELAY_CHILD_H
#define LOGRELAY_CHILD_H

#include <sys/types.h>

struct child {
    pid_t pid;
    int stdout_fd, stderr_fd; /* read ends (non-blocking, close-on-exec); -1 once closed */
    int own_process_group;
    int exited;
    int exit_status;          /* the shell convention: code, or 128 + signal number */
};

/* Installs the handlers and returns the read end of the self-pipe (non-blocking), or -1. */
int child_signals_install(void);
/* Restores default dispositions and closes the self-pipe. */
void child_signals_restore(void);

/* Reads one signal number from the self-pipe fd: the signal, 0 when none is pending. */
int child_signals_next(int signal_fd);

/* Starts argv[0] (searched in PATH) with stdin inherited and stdout/stderr on new pipes.
 * Returns 0, or -1 with errno (the exec failing in the child gives exit status 127 later). */
int child_spawn(struct child *c, char *const argv[], int own_process_group);

/* Sends sig to the child (its group when it has one). Nothing once it has been reaped. */
void child_forward_signal(struct child *c, int sig);

/* Reaps the child if it has exited (non-blocking). Returns 1 when it has exited. */
int child_reap(struct child *c);

#endif
