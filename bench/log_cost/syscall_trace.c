/* syscall_trace.c: per-thread system call counts from strace; see syscall_trace.h. */
#include "syscall_trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_watchdog.h"
#include "log_workload.h"
#include "proc.h"

enum { NAMES_MAX = 8, TIDS_MAX = LOG_WORKLOAD_THREADS_MAX };

int trace_write_tids(const char *path, const long *tids, int count)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    for (int i = 0; i < count; i++)
        fprintf(f, "%ld\n", tids[i]);
    return fclose(f) == 0 ? 0 : -1;
}

#if defined(__linux__)

/* Absolute path of an executable named name on $PATH, or 0 when there is none. */
static int find_on_path(const char *name, char *out, size_t out_size)
{
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/bin:/bin";
    while (*path) {
        const char *end = strchr(path, ':');
        size_t len = end ? (size_t)(end - path) : strlen(path);
        snprintf(out, out_size, "%.*s/%s", (int)len, path, name);
        if (len > 0 && access(out, X_OK) == 0)
            return 1;
        path += len + (end ? 1 : 0);
    }
    return 0;
}

typedef struct tally {
    long tids[TIDS_MAX];
    int inside[TIDS_MAX];
    int begun[TIDS_MAX], ended[TIDS_MAX];
    int count;
    char names[NAMES_MAX][32];
    long name_counts[NAMES_MAX];
    long other_names;
    long syscalls;
} tally;

static int read_tids(const char *path, tally *t)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long tid;
    while (t->count < TIDS_MAX && fscanf(f, "%ld", &tid) == 1)
        t->tids[t->count++] = tid;
    fclose(f);
    return t->count > 0 ? 0 : -1;
}

/* Tallies a call by name; futex calls by operation too (a wake-up of the drain thread or of
 * a lock waiter, versus waiting for a lock). */
static void count_name(tally *t, const char *call)
{
    char name[32];
    size_t len = strcspn(call, "( ");
    if (len >= sizeof name)
        len = sizeof name - 1;
    memcpy(name, call, len);
    name[len] = '\0';
    if (!strcmp(name, "futex") && strstr(call, "FUTEX_WAKE"))
        snprintf(name, sizeof name, "futex-wake");
    else if (!strcmp(name, "futex") && strstr(call, "FUTEX_WAIT"))
        snprintf(name, sizeof name, "futex-wait");
    for (int i = 0; i < NAMES_MAX; i++) {
        if (t->names[i][0] == '\0')
            snprintf(t->names[i], sizeof t->names[i], "%s", name);
        if (strcmp(t->names[i], name) == 0) {
            t->name_counts[i]++;
            return;
        }
    }
    t->other_names++;
}

/* One line of strace -f output: "<tid> <call>(...) = ..." and friends. */
static void tally_line(tally *t, const char *line)
{
    char *rest;
    long tid = strtol(line, &rest, 10);
    if (rest == line || *rest != ' ')
        return;
    int index = -1;
    for (int i = 0; i < t->count; i++)
        if (t->tids[i] == tid)
            index = i;
    if (index < 0)
        return;
    while (*rest == ' ')
        rest++;
    if (strstr(rest, LOG_WORKLOAD_MARK_BEGIN)) {
        t->inside[index] = 1;
        t->begun[index] = 1;
        return;
    }
    if (strstr(rest, LOG_WORKLOAD_MARK_END)) {
        t->inside[index] = 0;
        t->ended[index] = 1;
        return;
    }
    if (!t->inside[index])
        return;
    /* Not system calls, or the second half of one already counted. */
    if (strncmp(rest, "<...", 4) == 0 || strncmp(rest, "+++", 3) == 0 ||
        strncmp(rest, "---", 3) == 0)
        return;
    t->syscalls++;
    count_name(t, rest);
}

static void describe_names(const tally *t, char *out, size_t out_size)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < NAMES_MAX && t->names[i][0] && used < out_size; i++)
        used += (size_t)snprintf(out + used, out_size - used, "%s%s x%ld", used ? ", " : "",
                                 t->names[i], t->name_counts[i]);
    if (t->other_names && used < out_size)
        snprintf(out + used, out_size - used, ", others x%ld", t->other_names);
    if (!out[0])
        snprintf(out, out_size, "none");
}

/* First line of a file (strace's own complaint), for "n/a" reasons. */
static void first_line(const char *path, char *out, size_t out_size)
{
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (fgets(out, (int)out_size, f))
        out[strcspn(out, "\n")] = '\0';
    fclose(f);
}

void trace_run(const char *self, const char *const *probe_args, uint64_t calls, int timeout_ms,
               trace_result *out)
{
    memset(out, 0, sizeof *out);
    char strace[512];
    if (!find_on_path("strace", strace, sizeof strace)) {
        snprintf(out->why, sizeof out->why, "n/a: strace not installed");
        return;
    }
    char dir[128], trace_file[256], tid_file[256], err_file[256];
    if (tp_temp_dir(dir, sizeof dir) != 0) {
        snprintf(out->why, sizeof out->why, "n/a: no temporary directory");
        return;
    }
    snprintf(trace_file, sizeof trace_file, "%s/trace.txt", dir);
    snprintf(tid_file, sizeof tid_file, "%s/tids.txt", dir);
    snprintf(err_file, sizeof err_file, "%s/strace.err", dir);

    char *argv[32] = {strace, "-f", "-qq", "-o", trace_file, (char *)self, "--syscall-probe"};
    int argc = 7;
    for (int i = 0; probe_args[i] && argc < 30; i++)
        argv[argc++] = (char *)probe_args[i];
    argv[argc++] = tid_file;
    argv[argc] = NULL;

    int err_fd = open(err_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    pid_t pid = tp_spawn(argv, -1, err_fd);
    if (err_fd >= 0)
        close(err_fd);
    int status = -1;
    if (pid > 0) {
        bench_watchdog_track(pid);
        if (tp_wait_exit(pid, timeout_ms, &status) != 0) {
            status = tp_stop(pid, 1000);
            snprintf(out->why, sizeof out->why, "n/a: traced run exceeded %d ms", timeout_ms);
        }
        bench_watchdog_untrack(pid);
    }

    tally t;
    memset(&t, 0, sizeof t);
    if (!out->why[0] && (pid <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
        char complaint[160];
        first_line(err_file, complaint, sizeof complaint);
        snprintf(out->why, sizeof out->why, "n/a: strace failed (%s)",
                 complaint[0] ? complaint : "no message; ptrace not permitted?");
    } else if (!out->why[0] && read_tids(tid_file, &t) != 0) {
        snprintf(out->why, sizeof out->why, "n/a: the probe wrote no thread ids");
    }
    if (!out->why[0]) {
        FILE *f = fopen(trace_file, "r");
        char *line = NULL;
        size_t cap = 0;
        while (f && getline(&line, &cap, f) > 0)
            tally_line(&t, line);
        free(line);
        if (f)
            fclose(f);
        for (int i = 0; i < t.count; i++)
            out->threads_seen += t.begun[i] && t.ended[i];
        if (out->threads_seen != t.count) {
            snprintf(out->why, sizeof out->why, "n/a: markers of %d of %d threads not in trace",
                     t.count - out->threads_seen, t.count);
        } else {
            out->available = 1;
            out->syscalls = t.syscalls;
            out->per_call = calls ? (double)t.syscalls / (double)calls : 0;
            describe_names(&t, out->names, sizeof out->names);
        }
    }
    tp_remove_dir(dir);
}

#else /* not Linux */

void trace_run(const char *self, const char *const *probe_args, uint64_t calls, int timeout_ms,
               trace_result *out)
{
    (void)self;
    (void)probe_args;
    (void)calls;
    (void)timeout_ms;
    memset(out, 0, sizeof *out);
    snprintf(out->why, sizeof out->why, "n/a: strace is Linux-only (macOS dtruss needs root)");
}

#endif
