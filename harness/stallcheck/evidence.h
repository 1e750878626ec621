/* evidence.h: what the child's threads are doing, seen from outside.
 *
 * This is the one facility that differs completely between systems, so it has one interface and
 * one implementation per system, chosen by CMake:
 *   evidence_linux.c  every thread of every process in the child's group, from
 *                     /proc/PID/task/TID/{comm,stat,wchan,syscall} and /proc/PID/fd/N,
 *                     sampled a few times because a thread may be caught running;
 *   evidence_macos.c  `sample PID 1` (when present, under a timeout): write vs
 *                     __psynch_mutexwait frames; otherwise no thread evidence. */
#ifndef STALLCHECK_EVIDENCE_H
#define STALLCHECK_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "thread_role.h"

typedef struct thread_evidence {
    int pid;
    int tid;
    char name[64];        /* comm */
    char state[8];        /* the stat state letter: S, R, D ... */
    char wchan[64];       /* kernel wait symbol, "" when unknown */
    char syscall[128];    /* decoded: "write(fd=2, count=...)", "futex(...)", "running" ... */
    long syscall_nr;      /* -1 when not in a syscall or unknown */
    long fd;              /* fd argument of write/writev, -1 otherwise */
    char fd_target[64];   /* readlink of that fd: "pipe:[123]", "" when unknown */
    bool on_log_pipe;     /* the fd is one of the harness's log pipes */
    thread_role role;
    int samples;          /* how many looks saw this thread */
} thread_evidence;

typedef struct evidence_request {
    pid_t pgid;                       /* the child's process group */
    pid_t pid;                        /* its leader */
    const unsigned long long *log_pipe_inodes;
    size_t log_pipe_inode_count;
    int samples;                      /* looks per thread (>= 1) */
    int interval_ms;                  /* between looks */
    long timeout_ms;                  /* bound for external tools (macOS `sample`) */
} evidence_request;

typedef struct evidence {
    thread_evidence *threads;
    size_t count;
    const char *source;       /* "proc", "sample" or "none" */
    int samples_taken;
    int processes;            /* processes of the group that were looked at */
    size_t log_writers;       /* threads whose role is ROLE_LOG_WRITER */
    size_t lock_waiters;      /* ROLE_LOCK_WAITER */
    char note[256];           /* limits of this evidence (permissions, missing tools) */
} evidence;

/* Collects what can be seen; never fails hard (an empty result says why in note). */
void evidence_collect(const evidence_request *req, evidence *out);
void evidence_free(evidence *ev);
/* Counts roles into log_writers / lock_waiters (used by both implementations). */
void evidence_tally(evidence *ev);

#endif
