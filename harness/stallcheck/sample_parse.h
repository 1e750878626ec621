/* sample_parse.h: the text report of macOS `sample PID SECONDS`, read into thread evidence.
 *
 * macOS has no /proc and no wchan; the closest outside view of a process's threads is `sample`,
 * which stops the process every millisecond, records every thread's stack, and prints them
 * condensed into one call tree per thread under "Call graph:":
 *
 *       845 Thread_8052651   DispatchQueue_1: com.apple.main-thread  (serial)
 *       + 845 start  (in dyld) + 1903  [0x7ff80c5d441f]
 *       +   845 main  (in server) + 412  [0x100a3f1cc]  main.c:88
 *       +     845 __sigwait  (in libsystem_kernel.dylib) + 10  [0x7ff80c8c0dfa]
 *       845 Thread_8052660: log-drain
 *       + 845 thread_start  (in libsystem_pthread.dylib) + 15  [0x7ff80c8fbbd3]
 *       +   ! 800 write  (in libsystem_kernel.dylib) + 10  [0x7ff80c8b9bfa]
 *       +   ! 45 drain_thread  (in server) + 200  [0x100a41234]  log_async.c:160
 *
 * A thread header is a sample count and "Thread_<id>", then ": <pthread name>" and/or
 * "DispatchQueue_<n>: <label>". A frame line is "+" and tree characters (" ! : |", which only
 * connect siblings), the number of samples in which that frame was on the stack, the symbol and
 * "(in IMAGE)". Indentation is the depth. The call graph ends at "Total number in stack",
 * "Sort by top of stack" or "Binary Images:".
 *
 * Each thread is classified by what was on top of its stack: for every frame, the samples in
 * which it was the innermost frame (its count minus its children's) go to the role of that
 * frame, and the role most samples agree on wins (thread_role_merge):
 *   write, writev, __write_nocancel, __writev_nocancel      log-pipe writer (the fd is not
 *                                                            visible: inferred, said so)
 *   __psynch_mutexwait, __psynch_rw_*lock, __ulock_wait(2)  lock waiter (pthread mutex,
 *                                                            rwlock, os_unfair_lock)
 *   __psynch_cvwait, __workq_kernreturn, semaphore_*wait_trap  idle: a parked worker (without
 *                                                            a baseline this is the best guess)
 *   kevent, kevent64, kevent_id, __select, poll, mach_msg_trap, __accept, __recvfrom, read,
 *   __semwait_signal, __sigwait, ... and any other frame in libsystem_kernel   other
 *   a frame outside libsystem_kernel                          running (on a CPU when sampled)
 * Pure text processing, no system calls: it compiles and is unit-tested everywhere, on recorded
 * reports (tests/stallcheck/fixtures/sample). Running `sample` itself is evidence_macos.c's. */
#ifndef STALLCHECK_SAMPLE_PARSE_H
#define STALLCHECK_SAMPLE_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "evidence.h"
#include "thread_role.h"

/* What the report says about itself. */
typedef struct sample_report_info {
    char process[64];     /* from "Process:   NAME [PID]", "" when absent */
    int pid;              /* from the same line, 0 when absent */
    bool call_graph_seen; /* a "Call graph:" section was found */
    size_t threads;       /* thread headers read */
    bool truncated;       /* more threads than SAMPLE_MAX_THREADS: the rest were skipped */
} sample_report_info;

#define SAMPLE_MAX_THREADS 4096

/* The role of one innermost frame, and a short name for the kind of wait ("write", "mutex
 * wait", "condition wait", "kevent", "running" ...) in *kind (static text). symbol is the frame's
 * function name, image the "(in IMAGE)" part (may be ""). */
thread_role sample_classify_frame(const char *symbol, const char *image, const char **kind);

/* Parses the report text (not modified) and appends one thread_evidence per thread of the call
 * graph to out->threads (out->count grows; out owns the array, evidence_free releases it). Every
 * thread gets pid, tid (the Thread_ id, cut to int), name, role, samples (the header's count),
 * syscall ("__psynch_mutexwait (sample: 998 of 1000 on top)"), wchan (the top frame's symbol)
 * and, for a writer, on_log_pipe = true (inferred). Returns the number of threads added, or -1
 * when out of memory (what was added stays). info may be NULL. */
long sample_parse_report(const char *text, int pid, evidence *out, sample_report_info *info);

#endif
