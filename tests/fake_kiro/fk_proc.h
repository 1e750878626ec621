/* fk_proc.h: running fake-kiro as a child process for a test.
 *
 * A test starts its own fake-kiro with the flags it needs (fork/exec, --port-file in a fresh
 * temporary directory), waits a bounded time for the port file, and always stops and reaps it in
 * teardown, even when an assertion failed. Nothing here sleeps in place of synchronisation: the
 * only waits are bounded polls for a file to appear or a process to exit. */
#ifndef FK_TEST_PROC_H
#define FK_TEST_PROC_H

#include <sys/types.h>

#define FK_PROC_MAX_ARGS 32

typedef struct fk_proc {
    pid_t pid;         /* 0 when not running */
    char dir[256];     /* private temporary directory */
    char port_file[320];
    char stdout_path[320];
    char stderr_path[320];
    unsigned port;
    char base_url[64]; /* http://127.0.0.1:PORT */
} fk_proc;

/* The fake-kiro binary the tests run (argv[1] of the test, else $FAKE_KIRO_BIN). */
void fk_proc_set_binary(const char *path);
const char *fk_proc_binary(void);

/* Starts fake-kiro with args (NULL-terminated, may be NULL) and waits up to timeout_ms for it to
 * publish its port. Returns 0, or -1 (the child, if any, is killed and reaped). */
int fk_proc_start(fk_proc *p, const char *const *args, int timeout_ms);
/* Sends sig and waits up to timeout_ms for the exit. Returns 0 and the wait status in *status,
 * or -1 when it did not exit in time (it is still running). */
int fk_proc_signal_and_wait(fk_proc *p, int sig, int timeout_ms, int *status);
/* SIGTERM, then SIGKILL if needed; always reaps; removes the temporary directory. Idempotent.
 * Returns 0 when fake-kiro exited with status 0 (or had already been reaped), -1 otherwise
 * (a crash, a sanitizer report, a hang on shutdown); its stderr is then copied to ours. */
int fk_proc_stop(fk_proc *p);
/* Runs fake-kiro with args (no --port-file added) to completion, bounded by timeout_ms (then
 * killed). Returns 0 with the wait status and stdout (malloc'd, caller frees), or -1. */
int fk_proc_run(const char *const *args, int timeout_ms, int *status, char **out);
/* Reads the file at path into a malloc'd NUL-terminated string (at most 1 MiB), or NULL. */
char *fk_read_file(const char *path);

#endif
