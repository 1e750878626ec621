/* bench_watchdog.h: bounds a whole bench program.
 *
 * Every wait inside the benches has its own deadline; this is the backstop. After the given
 * number of seconds (SIGALRM), or on SIGINT/SIGTERM/SIGHUP, each tracked child gets SIGKILL
 * (its whole process group, since children are spawned as group leaders), is reaped, and the
 * program exits with status 3 after saying why on stderr. Everything in the handler is
 * async-signal-safe (kill, waitpid, write, _exit). */
#ifndef KIRO_BENCH_WATCHDOG_H
#define KIRO_BENCH_WATCHDOG_H

#include <sys/types.h>

#define BENCH_WATCHDOG_EXIT 3

void bench_watchdog_start(const char *program, unsigned seconds);

/* Children to kill and reap if the watchdog fires; at most 64 at a time. */
void bench_watchdog_track(pid_t pid);
void bench_watchdog_untrack(pid_t pid);

#endif
