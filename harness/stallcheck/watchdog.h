/* watchdog.h: the guarantee that stallcheck itself never hangs.
 *
 * A pipe-deadlock harness is exactly the kind of program that hangs instead of failing, so a
 * separate thread owns the last word: after --timeout seconds, or when SIGINT/SIGTERM/SIGHUP
 * arrive, it kills the child's whole process group, reaps it (bounded), writes a minimal JSON
 * result if one was asked for, and exits with status 2. The signal handler only writes a byte
 * to a self-pipe (async-signal-safe); everything else happens on the watchdog thread. */
#ifndef STALLCHECK_WATCHDOG_H
#define STALLCHECK_WATCHDOG_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "child_process.h"

typedef struct watchdog {
    pthread_t thread;
    bool running;
    int wake[2];            /* [1] is written by watchdog_stop and by the signal handler */
    long timeout_s;
    child_process *child;
    const char *json_path;  /* may be NULL */
    atomic_bool fired;      /* set the moment the watchdog takes over */
} watchdog;

/* Starts the thread and installs the signal handlers. Returns 0 or -1. */
int watchdog_start(watchdog *w, long timeout_s, child_process *child, const char *json_path);
/* Stops the thread (normal end of run) and restores default signal handling. */
void watchdog_stop(watchdog *w);
/* True once the watchdog has taken over: the run's own results must not be reported then. */
bool watchdog_has_fired(watchdog *w);
/* After watchdog_has_fired: waits for the watchdog to end the process (it never returns). */
void watchdog_wait_for_exit(watchdog *w);

#endif
