/* log_cost_main.c: bench-log-async and bench-log-blocking, the cost of one log call.
 *
 * Built twice from this file, once with each logger (both define the same symbols, so they
 * cannot share a binary). Each binary measures, in the same run and interleaved round by
 * round (the order rotates every round), vsnprintf() of the same 200-byte line alone and
 * log_message() of it, with 1 and 2 calling threads:
 *   async build:    into a drained pipe and into a stalled (full) pipe, plus the shared line
 *                   formatter alone (what every call pays before the queue);
 *   blocking build: into /dev/null.
 * Figures are medians over the rounds of ns per call (wall time; the caller's CPU time is
 * shown beside it) and of the per-round ratio to vsnprintf. System calls made by the calling
 * threads are shown two ways: the logger's own drain_wakeups counter per call (each one is a
 * futex wake by the caller), and, on Linux with strace, a trace of the process counted per
 * calling thread (syscall_trace.h). The blocking build's trace (one write per call) is the
 * positive control of that method.
 *
 *   bench-log-X [--calls N] [--rounds N] [--trace-calls N] [--no-trace] [--compare FILE]
 *   bench-log-X --syscall-probe SINK THREADS CALLS TIDFILE     (used under strace)
 *
 * --compare FILE: the NUM lines of the other build's run, to print async against blocking.
 * Output: ROW/NUM lines on stdout (bench_rows.h), progress on stderr. Exit 0 when it ran. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_rows.h"
#include "bench_stats.h"
#include "bench_watchdog.h"
#include "cost_sink.h"
#include "log/log.h"
#include "log_workload.h"
#include "syscall_trace.h"

enum { ROUNDS_MAX = 32, SCENARIOS_MAX = 4, THREAD_COUNTS = 2, WATCHDOG_S = 120,
       TRACE_TIMEOUT_MS = 30000 };

/* Both the wall-time and the CPU-time ratio to vsnprintf must hold it. */
#define TARGET_RATIO 1.5

typedef struct options {
    uint64_t calls;
    int rounds;
    uint64_t trace_calls;
    int trace;
    const char *compare;
} options;

/* One measured configuration: the baseline, the formatter alone, or the logger into a sink. */
typedef enum { SCEN_BASELINE, SCEN_FORMAT, SCEN_SINK } scenario_kind;

typedef struct scenario {
    scenario_kind kind;
    cost_sink sink;
    double ns[THREAD_COUNTS][ROUNDS_MAX];
    double cpu_ns[THREAD_COUNTS][ROUNDS_MAX];
    double other_ns[THREAD_COUNTS][ROUNDS_MAX]; /* CPU of the drain thread and the reader */
    double ratio[THREAD_COUNTS][ROUNDS_MAX];     /* to the baseline of the same round */
    double cpu_ratio[THREAD_COUNTS][ROUNDS_MAX]; /* CPU time to the baseline's CPU time */
    uint64_t wakeups[THREAD_COUNTS], dropped[THREAD_COUNTS], calls[THREAD_COUNTS];
    char state[THREAD_COUNTS][128];          /* sink state after the last round */
} scenario;

static const int thread_counts[THREAD_COUNTS] = {1, 2};

static void usage(FILE *to)
{
    const char *impl = log_implementation();
    fprintf(to,
            "usage: bench-log-%s [--calls N] [--rounds 1..%d] [--trace-calls N] [--no-trace] "
            "[--compare FILE]\n"
            "       bench-log-%s --syscall-probe drained|stalled|devnull THREADS CALLS "
            "TIDFILE\n",
            impl, ROUNDS_MAX, impl);
}

static int parse_options(int argc, char **argv, options *o)
{
    /* Many short rounds rather than a few long ones: on a shared machine the median of the
     * per-round ratios is steadier. */
    *o = (options){.calls = 100000, .rounds = 9, .trace_calls = 20000, .trace = 1};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(a, "--no-trace")) {
            o->trace = 0;
        } else if (!strcmp(a, "--calls") && v) {
            o->calls = strtoull(v, NULL, 10), i++;
        } else if (!strcmp(a, "--rounds") && v) {
            o->rounds = atoi(v), i++;
        } else if (!strcmp(a, "--trace-calls") && v) {
            o->trace_calls = strtoull(v, NULL, 10), i++;
        } else if (!strcmp(a, "--compare") && v) {
            o->compare = v, i++;
        } else {
            return -1;
        }
    }
    if (o->calls < 1000 || o->rounds < 1 || o->rounds > ROUNDS_MAX || o->trace_calls < 100)
        return -1;
    return 0;
}

/* The logger starts once the calling threads wait at the gate: a drain thread left alone for
 * 20 ms (a thread start on a loaded machine) goes to its idle sleep, and the callers' burst
 * would then wake it once, a system call this steady-state figure is not about (the
 * burst-after-idle row measures that case by itself). */
typedef struct sink_start {
    cost_sink *sink;
    int started;
    log_stats before;
} sink_start;

static int start_logger_at_gate(void *arg)
{
    sink_start *st = arg;
    if (cost_logger_start(st->sink) != 0)
        return -1;
    st->started = 1;
    log_get_stats(&st->before);
    return 0;
}

/* ---- the probe that runs under strace ---- */

static int syscall_probe(int argc, char **argv)
{
    cost_sink_kind kind;
    if (argc != 6 || cost_sink_parse(argv[2], &kind) != 0) {
        usage(stderr);
        return 2;
    }
    int threads = atoi(argv[3]);
    uint64_t calls = strtoull(argv[4], NULL, 10);
    if (kind == COST_SINK_STALLED && strcmp(log_implementation(), "async") != 0) {
        fprintf(stderr, "the blocking logger would hang on a stalled sink\n");
        return 2;
    }
    cost_sink sink;
    if (cost_sink_open(&sink, kind) != 0)
        return 1;
    sink_start start = {.sink = &sink};
    work_result r;
    int rc = work_run_gated(WORK_LOG, threads, calls, 1, start_logger_at_gate, &start, &r);
    if (!start.started)
        return 1;
    cost_logger_stop();
    cost_sink_close(&sink);
    if (rc != 0 || trace_write_tids(argv[5], r.tids, r.threads) != 0)
        return 1;
    return 0;
}

/* ---- the timed rounds ---- */

static int measure(scenario *s, int t, int round, uint64_t calls)
{
    work_result r;
    if (s->kind != SCEN_SINK) {
        int rc = work_run(s->kind == SCEN_BASELINE ? WORK_VSNPRINTF : WORK_FORMAT,
                          thread_counts[t], calls, 0, &r);
        s->ns[t][round] = r.ns_per_call;
        s->cpu_ns[t][round] = r.cpu_ns_per_call;
        return rc;
    }
    sink_start start = {.sink = &s->sink};
    log_stats after;
    int rc = work_run_gated(WORK_LOG, thread_counts[t], calls, 0, start_logger_at_gate, &start, &r);
    if (!start.started)
        return -1;
    log_stats before = start.before;
    log_get_stats(&after);
    cost_sink_describe(&s->sink, s->state[t], sizeof s->state[t]);
    cost_logger_stop();
    s->ns[t][round] = r.ns_per_call;
    s->cpu_ns[t][round] = r.cpu_ns_per_call;
    s->other_ns[t][round] = r.other_cpu_ns_per_call;
    s->wakeups[t] += after.drain_wakeups - before.drain_wakeups;
    s->dropped[t] += after.lines_dropped - before.lines_dropped;
    s->calls[t] += calls * (uint64_t)thread_counts[t];
    return rc;
}

static int run_rounds(scenario *scenarios, int count, const options *o)
{
    /* Warm-up: page faults, first-use allocations, CPU frequency. */
    for (int i = 0; i < count; i++)
        if (measure(&scenarios[i], 0, 0, o->calls / 4) != 0)
            return -1;
    for (int i = 0; i < count; i++) {
        scenario *s = &scenarios[i];
        memset(s->wakeups, 0, sizeof s->wakeups);
        memset(s->dropped, 0, sizeof s->dropped);
        memset(s->calls, 0, sizeof s->calls);
    }
    for (int round = 0; round < o->rounds; round++) {
        for (int t = 0; t < THREAD_COUNTS; t++) {
            for (int k = 0; k < count; k++) {
                scenario *s = &scenarios[(k + round) % count];
                if (measure(s, t, round, o->calls) != 0)
                    return -1;
            }
            for (int k = 1; k < count; k++) {
                scenario *s = &scenarios[k];
                s->ratio[t][round] = s->ns[t][round] / scenarios[0].ns[t][round];
                s->cpu_ratio[t][round] = s->cpu_ns[t][round] / scenarios[0].cpu_ns[t][round];
            }
        }
        fprintf(stderr, "bench-log-%s: round %d of %d done\n", log_implementation(), round + 1,
                o->rounds);
    }
    return 0;
}

static double median_of(const double *values, int n)
{
    double copy[ROUNDS_MAX];
    memcpy(copy, values, (size_t)n * sizeof *copy);
    return bench_median(copy, (size_t)n);
}

/* NUM value named id in a file of another run's output, or -1. */
static double compare_value(const char *path, const char *id)
{
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f)
        return -1;
    char line[512];
    double value = -1;
    size_t id_len = strlen(id);
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "NUM\t", 4) && !strncmp(line + 4, id, id_len) &&
            line[4 + id_len] == '\t')
            value = strtod(line + 5 + id_len, NULL);
    }
    fclose(f);
    return value;
}

static void report_format(const scenario *base, const scenario *s, const options *o)
{
    for (int t = 0; t < THREAD_COUNTS; t++) {
        char id[64], figure[128];
        snprintf(id, sizeof id, "log.format.%dt", thread_counts[t]);
        snprintf(figure, sizeof figure,
                 "line formatter alone (log_format.c, both builds), %d thread%s", thread_counts[t],
                 thread_counts[t] > 1 ? "s" : "");
        double ratio = median_of(s->ratio[t], o->rounds);
        bench_row(id, "2 log call", figure, BENCH_INFO, "(what every call pays first)",
                  "%.0f ns = %.2fx vsnprintf (%.0f ns)", median_of(s->ns[t], o->rounds), ratio,
                  median_of(base->ns[t], o->rounds));
        char key[96];
        snprintf(key, sizeof key, "%s.ratio", id);
        bench_num(key, ratio);
    }
}

static void report_cost(const scenario *base, const scenario *s, int t, const options *o)
{
    const char *impl = log_implementation();
    const char *sink = cost_sink_name(s->sink.kind);
    int threads = thread_counts[t];
    double ns = median_of(s->ns[t], o->rounds), base_ns = median_of(base->ns[t], o->rounds);
    double ratio = median_of(s->ratio[t], o->rounds);
    double cpu_ns = median_of(s->cpu_ns[t], o->rounds);
    double cpu_ratio = median_of(s->cpu_ratio[t], o->rounds);
    double other_ns = median_of(s->other_ns[t], o->rounds);
    /* The least wall time a call can take here: its own CPU time, or, when the callers and the
     * rest of the process (drain thread, reader) need more CPU than there are cores, their
     * share of it; against vsnprintf's CPU time, what the wall ratio cannot go under on this
     * machine even when nothing else runs. */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1)
        cores = 1;
    double floor_ns = (double)threads * (cpu_ns + other_ns) / (double)cores;
    if (floor_ns < cpu_ns)
        floor_ns = cpu_ns;
    double base_cpu_ns = median_of(base->cpu_ns[t], o->rounds);
    double floor_ratio = base_cpu_ns > 0 ? floor_ns / base_cpu_ns : 0;
    char id[96], figure[160];
    snprintf(id, sizeof id, "log.%s.%s.%dt", impl, sink, threads);
    int gated = !strcmp(impl, "async");
    snprintf(figure, sizeof figure, "%s logger, %s sink, %d thread%s: ns per 200-byte line", impl,
             s->sink.kind == COST_SINK_DEVNULL ? "/dev/null" : sink, threads,
             threads > 1 ? "s" : "");
    bench_row(id, "2 log call", figure,
              gated ? bench_verdict(ratio <= TARGET_RATIO && cpu_ratio <= TARGET_RATIO) : BENCH_INFO,
              gated ? "<= 1.5x vsnprintf, wall and CPU" : "(reference)",
              "%.0f ns = %.2fx vsnprintf (%.0f ns), caller CPU %.0f ns = %.2fx; rest of the "
              "process (drain thread, sink reader) %.0f ns CPU per call, so %d thread%s on %ld "
              "core%s cannot go under %.2fx wall; median of %d rounds x %llu calls/thread; %s",
              ns, ratio, base_ns, cpu_ns, cpu_ratio, other_ns, threads, threads > 1 ? "s" : "",
              cores, cores > 1 ? "s" : "", floor_ratio, o->rounds,
              (unsigned long long)o->calls, s->state[t]);
    char key[128];
    snprintf(key, sizeof key, "%s.ns", id);
    bench_num(key, ns);
    snprintf(key, sizeof key, "%s.vsnprintf_ns", id);
    bench_num(key, base_ns);
    snprintf(key, sizeof key, "%s.ratio", id);
    bench_num(key, ratio);
    snprintf(key, sizeof key, "%s.cpu_ratio", id);
    bench_num(key, cpu_ratio);
    snprintf(key, sizeof key, "%s.other_cpu_ns", id);
    bench_num(key, other_ns);
    snprintf(key, sizeof key, "%s.wall_floor_ratio", id);
    bench_num(key, floor_ratio);

    if (!gated)
        return;
    double per_call = s->calls[t] ? (double)s->wakeups[t] / (double)s->calls[t] : 0;
    snprintf(id, sizeof id, "log.%s.%s.%dt.wakeups", impl, sink, threads);
    snprintf(figure, sizeof figure, "%s, %s sink, %d thread%s: drain_wakeups per call", impl, sink,
             threads, threads > 1 ? "s" : "");
    bench_row(id, "2 log call", figure, bench_verdict(s->wakeups[t] == 0),
              "0 (no futex wake by a caller)",
              "%.6f (%llu wakeups in %llu calls, %.1f%% of lines dropped)", per_call,
              (unsigned long long)s->wakeups[t], (unsigned long long)s->calls[t],
              s->calls[t] ? 100.0 * (double)s->dropped[t] / (double)s->calls[t] : 0);
    snprintf(key, sizeof key, "%s.per_call", id);
    bench_num(key, per_call);

    double other = compare_value(o->compare, t == 0 ? "log.blocking.devnull.1t.ratio"
                                                     : "log.blocking.devnull.2t.ratio");
    if (other > 0) {
        snprintf(id, sizeof id, "log.async.%s.%dt.vs_blocking", sink, threads);
        snprintf(figure, sizeof figure, "async (%s) vs blocking (/dev/null), %d thread%s", sink,
                 threads, threads > 1 ? "s" : "");
        bench_row(id, "2 log call", figure, BENCH_INFO, "(reference)",
                  "%.2fx (%.2fx vs %.2fx vsnprintf, each build against its own baseline)",
                  ratio / other, ratio, other);
    }
}

static void report_trace(const char *self, cost_sink_kind kind, int threads, const options *o)
{
    const char *impl = log_implementation();
    int gated = !strcmp(impl, "async");
    /* The blocking build is only the control (every call traps): a tenth of the calls. */
    uint64_t calls = gated ? o->trace_calls : o->trace_calls / 10;
    char threads_text[16], calls_text[32];
    snprintf(threads_text, sizeof threads_text, "%d", threads);
    snprintf(calls_text, sizeof calls_text, "%llu", (unsigned long long)calls);
    const char *args[] = {cost_sink_name(kind), threads_text, calls_text, NULL};
    trace_result r;
    trace_run(self, args, calls * (uint64_t)threads, TRACE_TIMEOUT_MS, &r);

    char id[96], figure[160];
    snprintf(id, sizeof id, "log.%s.%s.%dt.syscalls", impl, cost_sink_name(kind), threads);
    snprintf(figure, sizeof figure, "%s, %s sink, %d thread%s: syscalls per call (strace)", impl,
             cost_sink_name(kind), threads, threads > 1 ? "s" : "");
    const char *target = gated ? "0" : "(control: 1 write per call)";
    if (!r.available) {
        bench_row(id, "2 log call", figure, BENCH_NA, target, "%s", r.why);
        return;
    }
    bench_row(id, "2 log call", figure,
              gated ? bench_verdict(r.syscalls == 0) : BENCH_INFO, target,
              "%.4f (%ld syscalls in %llu calls on %d calling thread%s: %s)", r.per_call,
              r.syscalls, (unsigned long long)(calls * (uint64_t)threads), r.threads_seen,
              r.threads_seen == 1 ? "" : "s", r.names);
    char key[128];
    snprintf(key, sizeof key, "%s.per_call", id);
    bench_num(key, r.per_call);
}

/* The case the steady-state rows leave out: a burst that starts while the drain thread is in
 * its idle sleep (100 ms, after 20 ms without lines) and outruns it past 3/4 of the queue
 * wakes it once, by design, rather than let the queue fill unseen. Measured: the logger left
 * idle for IDLE_BEFORE_BURST_MS, then one thread's burst of more than the whole default queue. */
enum { IDLE_BEFORE_BURST_MS = 150, BURST_CALLS = 20000 };

static void report_burst_after_idle(cost_sink *sink)
{
    if (cost_logger_start(sink) != 0)
        return;
    struct timespec idle = {0, IDLE_BEFORE_BURST_MS * 1000000L};
    nanosleep(&idle, NULL);
    log_stats before, after;
    log_get_stats(&before);
    work_result r;
    int rc = work_run(WORK_LOG, 1, BURST_CALLS, 0, &r);
    log_get_stats(&after);
    cost_logger_stop();
    if (rc != 0)
        return;
    uint64_t wakeups = after.drain_wakeups - before.drain_wakeups;
    bench_row("log.async.drained.burst_after_idle", "2 log call",
              "async, drained sink: one burst after the drain thread went idle", BENCH_INFO,
              "(by design: at most 1 wake-up per burst)",
              "%llu wake-up%s for a burst of %d calls (%d KiB) after %d ms idle, %llu lines "
              "dropped",
              (unsigned long long)wakeups, wakeups == 1 ? "" : "s", BURST_CALLS,
              BURST_CALLS * LOG_WORKLOAD_LINE_BYTES / 1024, IDLE_BEFORE_BURST_MS,
              (unsigned long long)(after.lines_dropped - before.lines_dropped));
    bench_num("log.async.drained.burst_after_idle.wakeups", (double)wakeups);
}

static const char *self_path(const char *argv0)
{
#if defined(__linux__)
    static char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n > 0) {
        path[n] = '\0';
        return path;
    }
#endif
    return argv0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--syscall-probe"))
        return syscall_probe(argc, argv);
    options o;
    if (parse_options(argc, argv, &o) != 0) {
        usage(stderr);
        return 2;
    }
    bench_watchdog_start(argv[0], WATCHDOG_S);
    int async = !strcmp(log_implementation(), "async");
    static scenario scenarios[SCENARIOS_MAX];
    int count = 0;
    scenarios[count++].kind = SCEN_BASELINE;
    if (async)
        scenarios[count++].kind = SCEN_FORMAT;
    int first_sink = count;
    cost_sink_kind kinds[2] = {COST_SINK_DEVNULL, COST_SINK_DEVNULL};
    int sinks = 1;
    if (async) {
        kinds[0] = COST_SINK_DRAINED;
        kinds[1] = COST_SINK_STALLED;
        sinks = 2;
    }
    int ok = 1;
    for (int i = 0; i < sinks && ok; i++) {
        scenarios[count].kind = SCEN_SINK;
        ok = cost_sink_open(&scenarios[count++].sink, kinds[i]) == 0;
    }
    if (!ok || run_rounds(scenarios, count, &o) != 0) {
        fprintf(stderr, "bench-log-%s: could not run\n", log_implementation());
        return 1;
    }
    if (async) {
        report_format(&scenarios[0], &scenarios[1], &o);
        report_burst_after_idle(&scenarios[first_sink].sink); /* first_sink: drained */
    }
    for (int i = first_sink; i < count; i++)
        for (int t = 0; t < THREAD_COUNTS; t++)
            report_cost(&scenarios[0], &scenarios[i], t, &o);
    for (int i = first_sink; i < count; i++)
        cost_sink_close(&scenarios[i].sink);

    if (o.trace) {
        const char *self = self_path(argv[0]);
        for (int i = 0; i < sinks; i++)
            for (int t = 0; t < THREAD_COUNTS; t++)
                report_trace(self, kinds[i], thread_counts[t], &o);
    }
    return 0;
}
