/* syscall_trace.h: counts the system calls that the logging threads themselves make.
 *
 * Linux with strace only: the bench runs itself again under `strace -f -qq -o FILE` in a
 * probe mode whose calling threads bracket their log calls with marker syscalls (see
 * log_workload.h) and write their thread ids to a file. Every traced line of one of those
 * thread ids between its two markers is one system call made by a logging thread (a call
 * split by strace into "<unfinished ...>" and "<... resumed>" counts once). Where strace is
 * missing, ptrace is not permitted, or on macOS (dtruss needs root), the result says "n/a"
 * and why. */
#ifndef KIRO_BENCH_SYSCALL_TRACE_H
#define KIRO_BENCH_SYSCALL_TRACE_H

#include <stdint.h>

typedef struct trace_result {
    int available;          /* 0: not measured; why says why */
    char why[192];
    long syscalls;          /* inside the marked regions of all calling threads */
    int threads_seen;       /* calling threads whose two markers were found */
    double per_call;        /* syscalls / calls */
    char names[192];        /* "futex x12, write x3" or "none" */
} trace_result;

/* Runs `self --syscall-probe <probe_args...> TIDFILE` under strace, bounded by timeout_ms.
 * calls is the total number of log calls the probe makes (all threads). */
void trace_run(const char *self, const char *const *probe_args, uint64_t calls, int timeout_ms,
               trace_result *out);

/* Writes the thread ids of a probe, one per line, for trace_run(). Returns 0 or -1. */
int trace_write_tids(const char *path, const long *tids, int count);

#endif
