/* log_workload.c: gated threads making timed log or vsnprintf calls; see log_workload.h. */
#include "log_workload.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

#include "log/log.h"
#include "log/log_format.h"

/* "<24-char timestamp> INFO " before the message and "\n" after it. */
enum { LINE_OVERHEAD = LOG_TIMESTAMP_LEN + 1 + 4 + 1 + 1 };

/* The baseline prints the whole line; the timestamp is a ready string like the logger's. */
#define BASELINE_TIMESTAMP "2025-01-02T03:04:05.678Z"

/* Fixed-width fields so that every call makes a line of the same length. */
#define MESSAGE_FORMAT "[BENCH] id=req_%016llx route=%s status=%03d bytes=%08zu ua=%s note=%s"
#define MESSAGE_ROUTE "/v1/messages"
#define MESSAGE_UA "bench-client/1.0"

static char message_note[LOG_WORKLOAD_LINE_BYTES];

typedef struct gate {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int open;
    int cancelled; /* opened without work (at_gate failed) */
} gate;

typedef struct worker {
    pthread_t thread;
    work_kind kind;
    uint64_t calls;
    int markers;
    gate *start;
    int64_t elapsed_ns, cpu_ns;
    long tid;
} worker;

static int64_t clock_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static long current_tid(void)
{
#if defined(__linux__)
    return (long)syscall(SYS_gettid);
#else
    return 0;
#endif
}

/* Pads the note so that the whole line is LOG_WORKLOAD_LINE_BYTES long. */
static void prepare_note(void)
{
    if (message_note[0])
        return;
    char probe[LOG_WORKLOAD_LINE_BYTES * 2];
    int base = snprintf(probe, sizeof probe, MESSAGE_FORMAT, 0ULL, MESSAGE_ROUTE, 200, (size_t)0,
                        MESSAGE_UA, "");
    int pad = LOG_WORKLOAD_LINE_BYTES - LINE_OVERHEAD - base;
    if (pad < 0)
        pad = 0;
    for (int i = 0; i < pad; i++)
        message_note[i] = (char)('a' + i % 26);
    message_note[pad] = '\0';
}

int work_message_bytes(void)
{
    prepare_note();
    char text[LOG_WORKLOAD_LINE_BYTES * 2];
    return snprintf(text, sizeof text, MESSAGE_FORMAT, 0ULL, MESSAGE_ROUTE, 200, (size_t)0,
                    MESSAGE_UA, message_note);
}

/* The baseline: the same line through vsnprintf, behind the same kind of variadic call as
 * log_message(). */
static void __attribute__((noinline, format(printf, 3, 4)))
print_only(char *out, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, size, fmt, ap);
    va_end(ap);
}

/* The loggers' formatter alone, behind the same kind of call. */
static void __attribute__((noinline, format(printf, 1, 2))) format_line(const char *fmt, ...)
{
    log_line line;
    va_list ap;
    va_start(ap, fmt);
    log_line_format(&line, 1024 * 1024, LOG_LEVEL_INFO, fmt, ap);
    va_end(ap);
    log_line_release(&line);
}

static void marker(const char *path)
{
    (void)access(path, F_OK);
}

static void wait_gate(gate *g)
{
    pthread_mutex_lock(&g->lock);
    while (!g->open)
        pthread_cond_wait(&g->cond, &g->lock);
    pthread_mutex_unlock(&g->lock);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    w->tid = current_tid();
    char out[LOG_WORKLOAD_LINE_BYTES * 2];
    unsigned long long id = (unsigned long long)w->tid << 32;
    wait_gate(w->start);
    if (w->start->cancelled)
        return NULL;
    /* The thread CPU clock is a real system call: read it outside the marked region. */
    int64_t start = clock_ns(CLOCK_MONOTONIC), cpu_start = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    if (w->markers)
        marker(LOG_WORKLOAD_MARK_BEGIN);
    switch (w->kind) {
    case WORK_VSNPRINTF:
        for (uint64_t i = 0; i < w->calls; i++)
            print_only(out, sizeof out, "%s INFO " MESSAGE_FORMAT "\n", BASELINE_TIMESTAMP, id + i,
                       MESSAGE_ROUTE, 200 + (int)(i & 63), (size_t)i, MESSAGE_UA, message_note);
        break;
    case WORK_FORMAT:
        for (uint64_t i = 0; i < w->calls; i++)
            format_line(MESSAGE_FORMAT, id + i, MESSAGE_ROUTE, 200 + (int)(i & 63), (size_t)i,
                        MESSAGE_UA, message_note);
        break;
    case WORK_LOG:
        for (uint64_t i = 0; i < w->calls; i++)
            log_message(LOG_LEVEL_INFO, MESSAGE_FORMAT, id + i, MESSAGE_ROUTE, 200 + (int)(i & 63),
                        (size_t)i, MESSAGE_UA, message_note);
        break;
    }
    if (w->markers)
        marker(LOG_WORKLOAD_MARK_END);
    w->cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu_start;
    w->elapsed_ns = clock_ns(CLOCK_MONOTONIC) - start;
    return NULL;
}

int work_run(work_kind kind, int threads, uint64_t calls, int markers, work_result *out)
{
    return work_run_gated(kind, threads, calls, markers, NULL, NULL, out);
}

int work_run_gated(work_kind kind, int threads, uint64_t calls, int markers,
                   int (*at_gate)(void *arg), void *arg, work_result *out)
{
    prepare_note();
    memset(out, 0, sizeof *out);
    if (threads < 1 || threads > LOG_WORKLOAD_THREADS_MAX || calls == 0)
        return -1;
    gate start = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
    worker workers[LOG_WORKLOAD_THREADS_MAX];
    memset(workers, 0, sizeof workers);
    int started = 0;
    for (; started < threads; started++) {
        worker *w = &workers[started];
        w->kind = kind;
        w->calls = calls;
        w->markers = markers;
        w->start = &start;
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
            break;
    }
    int hook_failed = at_gate && at_gate(arg) != 0;
    int64_t process_cpu_start = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    pthread_mutex_lock(&start.lock);
    start.cancelled = hook_failed;
    start.open = 1;
    pthread_cond_broadcast(&start.cond);
    pthread_mutex_unlock(&start.lock);
    double sum = 0, cpu_sum = 0;
    for (int i = 0; i < started; i++) {
        pthread_join(workers[i].thread, NULL);
        sum += (double)workers[i].elapsed_ns / (double)calls;
        cpu_sum += (double)workers[i].cpu_ns / (double)calls;
        out->tids[i] = workers[i].tid;
    }
    double process_cpu = (double)(clock_ns(CLOCK_PROCESS_CPUTIME_ID) - process_cpu_start);
    out->threads = started;
    out->ns_per_call = started ? sum / started : 0;
    out->cpu_ns_per_call = started ? cpu_sum / started : 0;
    /* cpu_sum is the callers' CPU in ns per call summed over threads: times calls, their total. */
    double others = process_cpu - cpu_sum * (double)calls;
    out->other_cpu_ns_per_call =
        started && others > 0 ? others / ((double)calls * (double)started) : 0;
    return started == threads && !hook_failed ? 0 : -1;
}
