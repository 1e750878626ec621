/* evidence_macos.c: thread evidence on macOS (and other systems without /proc); see evidence.h.
 *
 * macOS has no /proc and no wchan; the closest outside view is `sample PID 1`, which prints a
 * call tree per thread. A thread with a write/writev frame is taken as the blocked writer, one
 * with __psynch_mutexwait as a lock waiter, one parked in __psynch_cvwait as idle. `sample` runs under a timeout and
 * is killed past it; where it is missing, the report carries the pipe figures only. Only the
 * group leader is sampled. This file is plain POSIX so that it also builds on other systems. */
#include "evidence.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/clock.h"

#define SAMPLE_OUTPUT_MAX (4L * 1024 * 1024)

extern char **environ;

/* Runs `sample PID 1`, collecting its output for at most timeout_ms. Returns the output
 * (malloc'd, NUL-terminated) or NULL with a reason in note. */
static char *run_sample(pid_t pid, long timeout_ms, char *note, size_t note_size)
{
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(note, note_size, "pipe: %s", strerror(errno));
        return NULL;
    }
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    char pid_text[16];
    snprintf(pid_text, sizeof pid_text, "%d", (int)pid);
    char *argv[] = { "sample", pid_text, "1", NULL };
    pid_t sampler = 0;
    int rc = posix_spawnp(&sampler, "sample", &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        snprintf(note, note_size, "`sample` is not available (%s): pipe figures only", strerror(rc));
        return NULL;
    }

    size_t len = 0, alloc = 65536;
    char *out = malloc(alloc);
    int64_t deadline = clock_monotonic_ms() + timeout_ms;
    bool timed_out = false;
    while (out) {
        int64_t left = deadline - clock_monotonic_ms();
        if (left <= 0) {
            timed_out = true;
            break;
        }
        struct pollfd pfd = { fds[0], POLLIN, 0 };
        int n = poll(&pfd, 1, (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            continue; /* timeout is handled at the top */
        if (len + 4096 + 1 > alloc) {
            if ((long)alloc >= SAMPLE_OUTPUT_MAX)
                break;
            char *grown = realloc(out, alloc * 2);
            if (!grown)
                break;
            out = grown;
            alloc *= 2;
        }
        ssize_t got = read(fds[0], out + len, 4096);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        len += (size_t)got;
    }
    close(fds[0]);
    if (timed_out)
        kill(sampler, SIGKILL);
    int status = 0;
    while (waitpid(sampler, &status, 0) < 0 && errno == EINTR) {
    }
    if (!out) {
        snprintf(note, note_size, "out of memory reading `sample` output");
        return NULL;
    }
    out[len] = '\0';
    if (timed_out)
        snprintf(note, note_size, "`sample` did not finish within %ld ms; partial output used",
                 timeout_ms);
    return out;
}

static bool line_has_write_frame(const char *line)
{
    return strstr(line, " write  (in ") || strstr(line, " writev  (in ") ||
           strstr(line, "__write_nocancel") || strstr(line, "__writev_nocancel");
}

static bool line_has_mutex_wait_frame(const char *line)
{
    return strstr(line, "__psynch_mutexwait") != NULL;
}

/* A condition wait is where thread pools park their idle workers: without a baseline (one
 * `sample` takes a second) it is taken as idle, a mutex wait as a lock waiter. */
static bool line_has_condition_wait_frame(const char *line)
{
    return strstr(line, "__psynch_cvwait") != NULL;
}

/* "    2511 Thread_8052651   DispatchQueue_1: com.apple.main-thread  (serial)" or
 * "    2511 Thread_8052660: http-conn". Returns the text after "Thread_", or NULL. */
static const char *thread_header(const char *line)
{
    const char *p = line;
    while (*p == ' ')
        p++;
    if (*p < '0' || *p > '9')
        return NULL;
    while (*p >= '0' && *p <= '9')
        p++;
    if (strncmp(p, " Thread_", 8) != 0)
        return NULL;
    return p + 8;
}

/* Fills tid and name from the text after "Thread_": the id, then an optional name. */
static void parse_thread_header(const char *header, thread_evidence *t)
{
    char *end = NULL;
    long id = strtol(header, &end, 10);
    t->tid = id > 0 && id < 0x7fffffffL ? (int)id : 0;
    const char *name = end ? end : header;
    while (*name == ':' || *name == ' ')
        name++;
    if (*name)
        snprintf(t->name, sizeof t->name, "%s", name);
    else
        snprintf(t->name, sizeof t->name, "Thread_%ld", id);
    size_t len = strlen(t->name);
    while (len > 0 && t->name[len - 1] == ' ')
        t->name[--len] = '\0';
}

static void finish_thread(thread_evidence *t, bool wrote, bool waited, bool parked)
{
    if (wrote) {
        t->role = ROLE_LOG_WRITER;
        t->on_log_pipe = true; /* inferred: `sample` does not show the fd */
        snprintf(t->syscall, sizeof t->syscall, "write (sample)");
    } else if (waited) {
        t->role = ROLE_LOCK_WAITER;
        snprintf(t->syscall, sizeof t->syscall, "__psynch_mutexwait (sample)");
    } else if (parked) {
        t->role = ROLE_IDLE;
        snprintf(t->syscall, sizeof t->syscall, "__psynch_cvwait (sample)");
    } else {
        t->role = ROLE_OTHER;
        snprintf(t->syscall, sizeof t->syscall, "other (sample)");
    }
}

static void parse_sample_output(char *text, pid_t pid, evidence *out)
{
    size_t alloc = 0;
    thread_evidence *current = NULL;
    bool wrote = false, waited = false, parked = false;
    bool in_graph = false;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (strstr(line, "Call graph:")) {
            in_graph = true;
            continue;
        }
        if (!in_graph)
            continue;
        if (strstr(line, "Total number in stack") || strstr(line, "Binary Images:"))
            break;
        const char *header = thread_header(line);
        if (header) {
            if (current)
                finish_thread(current, wrote, waited, parked);
            if (out->count == alloc) {
                size_t grown_alloc = alloc ? alloc * 2 : 16;
                thread_evidence *grown = realloc(out->threads, grown_alloc * sizeof *grown);
                if (!grown)
                    break;
                out->threads = grown;
                alloc = grown_alloc;
            }
            current = &out->threads[out->count++];
            memset(current, 0, sizeof *current);
            current->pid = (int)pid;
            current->syscall_nr = -1;
            current->fd = -1;
            current->samples = 1;
            snprintf(current->state, sizeof current->state, "?");
            parse_thread_header(header, current); /* tid: the Mach thread id */
            wrote = waited = parked = false;
            continue;
        }
        if (!current)
            continue;
        wrote = wrote || line_has_write_frame(line);
        waited = waited || line_has_mutex_wait_frame(line);
        parked = parked || line_has_condition_wait_frame(line);
    }
    if (current)
        finish_thread(current, wrote, waited, parked);
}

bool evidence_baseline_is_cheap(void)
{
    return false;
}

void evidence_collect(const evidence_request *req, evidence *out)
{
    memset(out, 0, sizeof *out);
    out->source = "none";
    char *text = run_sample(req->pid, req->timeout_ms > 0 ? req->timeout_ms : 10000, out->note,
                            sizeof out->note);
    if (!text) {
        evidence_tally(out);
        return;
    }
    out->source = "sample";
    out->samples_taken = 1;
    out->processes = 1;
    parse_sample_output(text, req->pid, out);
    free(text);
    if (out->count == 0 && !out->note[0])
        snprintf(out->note, sizeof out->note, "`sample` output had no thread call graph");
    else if (!out->note[0])
        snprintf(out->note, sizeof out->note,
                 "from `sample PID 1` of the group leader; fds are not visible, a write frame is "
                 "taken as a write to the log pipe");
    evidence_tally(out);
}
