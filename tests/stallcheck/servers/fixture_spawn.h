/* fixture_spawn.h: the extra processes and threads stall-test-server can start, each a way a
 * real server makes a harness's life harder.
 *
 *   stubborn helper   a child in the same process group that ignores SIGTERM
 *   daemon            a grandchild that left the group and the session (fork, setsid, fork:
 *                     the classic daemon): a signal to the group misses it
 *   session helper    a child that called setsid (a session and group of its own)
 *   idle threads      threads parked on one shared condition variable, like a runtime's idle
 *                     workers: they sleep in futex waits on one and the same word
 * Every spawn returns the pid of the process it left behind (0 for threads, -1 on failure). */
#ifndef FIXTURE_SPAWN_H
#define FIXTURE_SPAWN_H

#include <sys/types.h>

pid_t fixture_spawn_stubborn_helper(void);
pid_t fixture_spawn_daemon(void);
pid_t fixture_spawn_session_helper(void);
/* Starts n parked threads. Returns how many started. */
int fixture_start_idle_threads(int n);

#endif
