/* evidence.h: what the child's threads are doing, seen from outside.
 *
 * This is the one facility that differs completely between systems, so it has one interface and
 * one implementation per road, chosen by CMake from the platform switch
 * (KIRO_PLATFORM_PROC_EVIDENCE, cmake/platform.cmake):
 *   evidence_linux.c  (Linux, native build) every thread of every process in the child's
 *                     group, from /proc/PID/task/TID/{comm,stat,wchan,syscall} and
 *                     /proc/PID/fd/N, sampled a few times because a thread may be caught running;
 *   evidence_macos.c  (macOS, the portable build, other systems) on macOS `sample PID 1` (when
 *                     present, under a timeout) read by sample_parse.c: write vs
 *                     __psynch_mutexwait vs __psynch_cvwait frames; elsewhere, and on a Mac
 *                     without `sample`, no thread evidence (source "none"). */
#ifndef STALLCHECK_EVIDENCE_H
#define STALLCHECK_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "thread_role.h"

typedef struct thread_evidence {
    int pid;
    int tid;
    char name[64];      /* comm */
    char state[8];      /* the stat state letter: S, R, D ... */
    char wchan[64];     /* kernel wait symbol, "" when unknown */
    char syscall[128];  /* decoded: "write(fd=2, count=...)", "futex(...)", "running" ... */
    long syscall_nr;    /* -1 when not in a syscall or unknown */
    long fd;            /* fd argument of write/writev, -1 otherwise */
    char fd_target[64]; /* readlink of that fd: "pipe:[123]", "" when unknown */
    bool on_log_pipe;   /* the fd is one of the harness's log pipes */
    unsigned long long wait_address; /* futex word of a futex wait (Linux), 0 unknown */
    bool same_wait_as_baseline;      /* the snapshot before the trigger saw it in the same wait */
    thread_role role;
    int samples; /* how many looks saw this thread */
} thread_evidence;

typedef struct evidence_request {
    pid_t pgid; /* the child's process group */
    pid_t pid;  /* its leader */
    pid_t root; /* the harness: its descendants are looked at too (those
                   that left the group), 0 for the group only */
    const unsigned long long *log_pipe_inodes;
    size_t log_pipe_inode_count;
    int samples;     /* looks per thread (>= 1) */
    int interval_ms; /* between looks */
    long timeout_ms; /* bound for external tools (macOS `sample`) */
} evidence_request;

typedef struct evidence {
    thread_evidence *threads;
    size_t count;
    const char *source; /* "proc", "sample" or "none" */
    int samples_taken;
    int processes;        /* processes of the group that were looked at */
    size_t log_writers;   /* threads whose role is ROLE_LOG_WRITER */
    size_t lock_waiters;  /* ROLE_LOCK_WAITER */
    size_t idle;          /* ROLE_IDLE */
    size_t other_writers; /* ROLE_OTHER_WRITER */
    /* The largest group of lock waiters on one futex word of one process: a lock convoy when
     * it has two threads or more. Where addresses are unknown (macOS) every lock waiter counts
     * as one group and convoy_address_known is false. */
    size_t convoy_threads;
    int convoy_pid;
    unsigned long long convoy_address;
    bool convoy_address_known;
    bool baseline_applied; /* roles were compared with the snapshot taken before the trigger */
    char note[256];        /* limits of this evidence (permissions, missing tools) */
} evidence;

/* Collects what can be seen; never fails hard (an empty result says why in note). */
void evidence_collect(const evidence_request *req, evidence *out);
/* Whether a baseline snapshot is cheap here (Linux /proc: milliseconds; macOS `sample`: a second
 * or more, so the run skips it and roles come from the kind of wait instead). */
bool evidence_baseline_is_cheap(void);
void evidence_free(evidence *ev);
/* Counts roles into log_writers / lock_waiters / idle and finds the convoy (used by both
 * implementations, and again after a baseline changed roles). */
void evidence_tally(evidence *ev);

#endif
