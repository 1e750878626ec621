/* watchdog.h: the guarantee that stallcheck itself never hangs.
 *
 * A pipe-deadlock harness is exactly the kind of program that hangs instead of failing, so a
 * separate thread owns the last word: after --timeout seconds, or when SIGINT/SIGTERM/SIGHUP
 * arrive, it raises its flag (every wait of the run watches it and gives up), kills the child's
 * whole process group and every descendant, and reaps them (bounded). The run then unwinds and
 * writes its reports - text, JSON and JUnit with everything seen so far - and exits with status
 * 2. Should the run not get there within a grace period, the watchdog writes a minimal JSON
 * result (and Markdown summary) itself and exits with status 2: stallcheck never hangs. The signal handler only writes
 * a byte to a self-pipe (async-signal-safe); everything else happens on the watchdog thread. */
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
    _Atomic(const char *) summary_path; /* --summary, may be NULL; stored after watchdog_start */
    atomic_bool fired;      /* set the moment the watchdog takes over */
    char reason[160];       /* why, once fired (written before fired is set) */
} watchdog;

/* How long the run may take to write its reports once the watchdog has fired. */
#define WATCHDOG_REPORT_GRACE_MS 10000

/* Starts the thread and installs the signal handlers. Returns 0 or -1. */
int watchdog_start(watchdog *w, long timeout_s, child_process *child, const char *json_path);
/* Stops the thread (end of run: the reports are written) and restores default signals. */
void watchdog_stop(watchdog *w);
/* True once the watchdog has taken over: the run must give up and report what it has. */
bool watchdog_has_fired(const watchdog *w);
/* The flag the run's waits watch (NULL when w is NULL). */
const atomic_bool *watchdog_flag(const watchdog *w);
/* Why it fired ("" before). */
const char *watchdog_reason(const watchdog *w);

#endif
