/* child_process.h: the child under test, in a process group of its own, and its certain end.
 *
 * The child is started with posix_spawn in a new process group (so a single kill reaches every
 * process it starts), stdin on /dev/null, stdout/stderr on the given pipe ends, and default
 * signal dispositions (the harness ignores SIGPIPE; an ignored signal would survive exec).
 * Ending it is always the same sequence: SIGTERM to the group, up to a grace period for the
 * leader, then SIGKILL to the group, then reaping: the leader and, where the harness can make
 * itself a child subreaper (KIRO_HAVE_CHILD_SUBREAPER: Linux, native build), every orphaned
 * member of the group as well. Without one (macOS, the portable build) an orphan is re-parented
 * to init/launchd: only the descendants seen by a scan while still ours are killed by pid.
 * The struct is shared with the watchdog thread; its lock guards pid/exit bookkeeping. */
#ifndef STALLCHECK_CHILD_PROCESS_H
#define STALLCHECK_CHILD_PROCESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Escaped descendants kept for the report (more are counted, not kept). */
#define CHILD_MAX_ESCAPED 16

/* A descendant of the child found outside the child's process group. */
typedef struct escaped_process {
    int pid;
    int ppid; /* when first seen */
    int pgid;
    int sid;
    char name[32];
    bool own_session; /* in a session other than the child's (setsid) */
    bool killed;      /* SIGKILLed by the harness and gone afterwards */
} escaped_process;

typedef struct child_process {
    pthread_mutex_t lock;
    pid_t pid;   /* 0 before spawn */
    pid_t pgid;  /* == pid: the child leads its own group */
    bool reaped; /* the leader's exit status is in wait_status */
    int wait_status;
    bool term_sent;
    bool kill_sent;
    bool exited_before_term; /* the leader was gone before the harness signalled it */
    bool term_ignored;       /* still alive after SIGTERM + grace: needed SIGKILL */
    int orphans_reaped;      /* other processes reaped (Linux subreaper) */
    escaped_process escaped[CHILD_MAX_ESCAPED];
    int escaped_count;      /* entries in escaped[] */
    int escaped_seen;       /* escaped descendants found in total */
    int descendants_killed; /* descendants SIGKILLed one by one at the end (escaped or not) */
    bool tree_unsupported;  /* descendants cannot be listed on this system */
} child_process;

void child_init(child_process *c);
void child_destroy(child_process *c);
/* Asks the kernel to re-parent orphaned descendants to this process so that they can be
 * reaped too (PR_SET_CHILD_SUBREAPER where KIRO_HAVE_CHILD_SUBREAPER). Returns true when it
 * did; false where there is no such facility (macOS, the portable build). */
bool child_adopt_orphans(void);
/* Starts argv (PATH is searched) with envp. Returns 0 or -1 with a reason in err. */
int child_spawn(child_process *c, char *const argv[], char *const envp[], int stdout_fd,
                int stderr_fd, char *err, size_t err_size);
/* Reaps the leader if it has exited. True when it is gone (now or before). Never blocks. */
bool child_has_exited(child_process *c);
/* Looks for descendants outside the child's group and records them (escaped[]). Returns how
 * many new ones were found. Cheap enough to call at every phase of the run. */
int child_scan_descendants(child_process *c);
/* SIGTERM to the group, grace_ms for the leader, SIGKILL to the group and to every descendant
 * wherever it went, reap everything (bounded). Safe to call more than once and concurrently
 * with child_kill_now. */
void child_terminate(child_process *c, long grace_ms);
/* SIGKILL to the group and every descendant at once and a bounded reap: the watchdog's path. */
void child_kill_now(child_process *c);
/* "exited with status 3", "killed by signal 9 (SIGKILL)", "running" ... */
void child_describe_exit(child_process *c, char *out, size_t out_size);
/* Exit code / signal of the leader, or -1 when not applicable. */
int child_exit_code(child_process *c);
int child_exit_signal(child_process *c);
const char *child_signal_name(int sig);

#endif
