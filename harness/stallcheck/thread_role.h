/* thread_role.h: what one thread of the child is doing, in the words of the diagnosis.
 *
 * A single look at a thread can catch it between two system calls, so each thread is sampled a
 * few times and every sample is classified on its own: first by syscall number and fd (stable
 * ABI), then by the kernel's wait symbol (wchan) when the syscall file is unreadable or the
 * thread sits outside a syscall. The thread's role is the one most samples agree on.
 * A futex wait alone does not make a lock waiter: runtimes park idle threads in futex waits
 * (Go's idle Ms, V8 and libuv workers, JVM GC threads), so the run compares with a snapshot
 * taken before the trigger and calls the threads that were already waiting there idle
 * (thread_shape.h). */
#ifndef STALLCHECK_THREAD_ROLE_H
#define STALLCHECK_THREAD_ROLE_H

#include <stdbool.h>

#include "syscall_decode.h"

typedef enum thread_role {
    ROLE_UNKNOWN,      /* nothing to go on */
    ROLE_RUNNING,      /* on a CPU */
    ROLE_LOG_WRITER,   /* blocked writing the log pipe */
    ROLE_OTHER_WRITER, /* blocked in write/writev on something else */
    ROLE_LOCK_WAITER,  /* began waiting in a futex (a mutex, a condition, the GIL) during the fault */
    ROLE_IDLE,         /* waiting since before the trigger (the baseline saw the same wait) */
    ROLE_OTHER,        /* blocked elsewhere: accept, poll, sleep, read ... */
    ROLE_COUNT
} thread_role;

/* One look at one thread. */
typedef struct thread_sample {
    syscall_sample syscall;
    const char *wchan;     /* "" or "0" when unknown */
    bool fd_known;         /* the written fd could be resolved */
    bool fd_is_log_pipe;   /* ... and it is the log pipe */
    long fd;               /* first argument of write/writev, -1 otherwise */
} thread_sample;

thread_role thread_role_classify(syscall_arch arch, const thread_sample *s);
/* The role most samples agree on, ignoring running and unknown; running when that is all
 * there was. counts has ROLE_COUNT entries. */
thread_role thread_role_merge(const int *counts);
/* "log-pipe-writer", "lock-waiter", ... */
const char *thread_role_name(thread_role role);
bool thread_role_wchan_is_pipe_write(const char *wchan);
bool thread_role_wchan_is_futex(const char *wchan);

#endif
