/* thread_shape.h: the shape of a stall in words, from the threads' roles.
 *
 * The log-pipe deadlock has a shape: one thread blocked writing the log pipe (holding the
 * logger's lock) and the threads that tried to log after it waiting on one and the same futex
 * word - a lock convoy. Idle threads of a runtime also sleep in futex waits, so roles are first
 * compared with a snapshot taken after readiness and before the trigger: a thread that was
 * already waiting there on the same word is idle, not a lock waiter. The report then names the
 * shape ("1 thread blocked writing the log pipe; 6 threads waiting on futex 0x... in pid 812, a
 * lock convoy; 4 idle since before the trigger; 3 elsewhere") and, for a stall that is not the
 * pipe's fault, what the stuck threads wait on ("3 in recvfrom, 1 in poll"). */
#ifndef STALLCHECK_THREAD_SHAPE_H
#define STALLCHECK_THREAD_SHAPE_H

#include <stddef.h>

#include "evidence.h"

/* Marks as ROLE_IDLE every lock waiter of ev that baseline saw waiting on the same futex word
 * (same pid and tid; where addresses are unknown, any futex wait), notes every other thread
 * found in the same system call as before the trigger, then re-tallies ev. */
void thread_shape_apply_baseline(evidence *ev, const evidence *baseline);
/* One sentence naming the shape. */
void thread_shape_describe(const evidence *ev, char *out, size_t out_size);
/* What the threads that are neither idle, running, nor in the same wait as before the trigger
 * wait in, grouped: "3 in recvfrom, 2 in futex 0x55d0... (pid 812), 1 in write(fd=2) on the log
 * pipe". "" when nothing is blocked. */
void thread_shape_waits(const evidence *ev, char *out, size_t out_size);

#endif
