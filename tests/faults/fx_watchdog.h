/* fx_watchdog.h: the per-test watchdog. A fault case that wedges (a proxy frozen on its log
 * pipe, a request with a broken deadline) must fail, not hang: when the watchdog fires it
 * SIGKILLs every process group it tracks, reaps them, removes the tracked temporary
 * directories, records the case as timed out in the
 * report and exits the test with status 3, well before ctest's own TIMEOUT. */
#ifndef FX_WATCHDOG_H
#define FX_WATCHDOG_H

#include <sys/types.h>

/* Starts the watchdog thread: fires after seconds. */
void fx_watchdog_start(const char *case_name, int seconds);
/* The build being run now (for the report line written when the watchdog fires). */
void fx_watchdog_set_build(const char *build);
/* Process groups to kill when it fires (pid = the group leader). */
void fx_watchdog_track(pid_t pid);
void fx_watchdog_untrack(pid_t pid);
/* Temporary directories to remove when it fires (the path is copied). */
void fx_watchdog_track_dir(const char *dir);
void fx_watchdog_untrack_dir(const char *dir);

#endif
