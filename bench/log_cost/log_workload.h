/* log_workload.h: the measured loop of bench-log-async / bench-log-blocking.
 *
 * One to LOG_WORKLOAD_THREADS_MAX threads wait at a gate, are released together, and each
 * makes `calls` calls of one kind, timing its own loop on the monotonic clock:
 *   WORK_VSNPRINTF  vsnprintf() of the same 200-byte line into a stack buffer (the baseline:
 *                   the timestamp comes in as a ready string argument);
 *   WORK_FORMAT     the loggers' shared line formatter alone (log_format.h, internal to
 *                   proxy/log: used here only to show how much of a call it accounts for);
 *   WORK_LOG        log_message() of the same message (whichever logger is linked).
 * The message makes a 200-byte log line (timestamp, level, message, newline) and changes with
 * every call. Each thread reports wall time and its own CPU time (CLOCK_THREAD_CPUTIME_ID):
 * on a machine with fewer cores than busy threads the wall time also holds time the caller
 * spent preempted. The CPU time the rest of the process used meanwhile (the async logger's drain
 * thread and the drained sink's reader: the main thread only waits) is reported per call too,
 * which is what the callers lose on such a machine. With markers set, each thread brackets its calls with two access(2) calls on
 * impossible paths, so that a strace of the process shows exactly where its calls begin and
 * end; its thread id is recorded for the same purpose (Linux; 0 elsewhere). */
#ifndef KIRO_BENCH_LOG_WORKLOAD_H
#define KIRO_BENCH_LOG_WORKLOAD_H

#include <stdint.h>

#define LOG_WORKLOAD_THREADS_MAX 8
#define LOG_WORKLOAD_LINE_BYTES 200
#define LOG_WORKLOAD_MARK_BEGIN "/nonexistent/kiro-bench-marker-begin"
#define LOG_WORKLOAD_MARK_END "/nonexistent/kiro-bench-marker-end"

typedef enum {
    WORK_VSNPRINTF,
    WORK_FORMAT,
    WORK_LOG,
} work_kind;

typedef struct work_result {
    double ns_per_call;                   /* mean over threads of elapsed / calls */
    double cpu_ns_per_call;               /* the same with each thread's CPU time */
    double other_cpu_ns_per_call;         /* CPU of the other threads / all calls */
    long tids[LOG_WORKLOAD_THREADS_MAX];  /* kernel thread ids of the calling threads */
    int threads;
} work_result;

/* Runs the workload. Returns 0, or -1 when threads could not be started. */
int work_run(work_kind kind, int threads, uint64_t calls, int markers, work_result *out);

/* The same, calling at_gate(arg) once every thread has started and waits at the gate, right
 * before it opens (the bench starts the logger there, so that its callers begin within
 * microseconds of log_start()). When at_gate fails the threads end without a call and -1 is
 * returned. */
int work_run_gated(work_kind kind, int threads, uint64_t calls, int markers,
                   int (*at_gate)(void *arg), void *arg, work_result *out);

/* The length of the message part (the line minus timestamp, level and newline). */
int work_message_bytes(void);

#endif
