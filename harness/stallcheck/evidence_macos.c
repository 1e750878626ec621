/* evidence_macos.c: thread evidence without /proc (macOS, and the portable build); see
 * evidence.h.
 *
 * macOS has no /proc and no wchan; the closest outside view is `sample PID 1`, whose call tree
 * per thread sample_parse.c reads (write vs __psynch_mutexwait vs __psynch_cvwait frames).
 * `sample` runs under a timeout and is killed past it; its report goes to a file of our own
 * (-file) and, should that be empty, its standard output is read instead. Only the group leader
 * is sampled.
 * Running `sample` is the one part that cannot run on Linux, so it alone sits behind __APPLE__.
 * (Its unit test builds this branch on Linux too, with STALLCHECK_TEST_SAMPLER=1, against a
 * stand-in `sample` script: tests/stallcheck/test_sampler_run.c. stallcheck itself never does.)
 * Everywhere else - the portable build on Linux, any other system - this file takes the
 * no-sampler road: no thread evidence at all (source "none"), the pipe figures only, so that a
 * full pipe the drain cures is reported as pipe-full-unconfirmed. That road is exactly what a Mac
 * without `sample` (or without permission to use it) gets. */
#include "evidence.h"

#include <stdio.h>
#include <string.h>

#include "platform/platform.h"

#if defined(__APPLE__) || (defined(STALLCHECK_TEST_SAMPLER) && STALLCHECK_TEST_SAMPLER)
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sample_parse.h"
#include "util/clock.h"

#define SAMPLE_OUTPUT_MAX (4L * 1024 * 1024)

extern char **environ;

/* Reads fd until EOF, the deadline or SAMPLE_OUTPUT_MAX. Returns malloc'd text or NULL. */
static char *read_until(int fd, int64_t deadline, bool *timed_out)
{
    size_t len = 0, alloc = 65536;
    char *out = malloc(alloc);
    *timed_out = false;
    while (out) {
        int64_t left = deadline - clock_monotonic_ms();
        if (left <= 0) {
            *timed_out = true;
            break;
        }
        struct pollfd pfd = {fd, POLLIN, 0};
        int n = poll(&pfd, 1, (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            continue; /* the deadline is checked at the top */
        if (len + 4096 + 1 > alloc) {
            if ((long)alloc >= SAMPLE_OUTPUT_MAX)
                break;
            char *grown = realloc(out, alloc * 2);
            if (!grown)
                break;
            out = grown;
            alloc *= 2;
        }
        ssize_t got = read(fd, out + len, 4096);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        len += (size_t)got;
    }
    if (out)
        out[len] = '\0';
    return out;
}

/* The report file sample wrote, or NULL when it is missing or empty. */
static char *read_report_file(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    char *text = NULL;
    if (fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size < SAMPLE_OUTPUT_MAX) {
        text = malloc((size_t)st.st_size + 1);
        size_t got = 0;
        while (text && got < (size_t)st.st_size) {
            ssize_t n = read(fd, text + got, (size_t)st.st_size - got);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        if (text)
            text[got] = '\0';
    }
    close(fd);
    return text;
}

/* Runs `sample PID 1 -mayDie -file TMP`, for at most timeout_ms. Returns the report text
 * (malloc'd) or NULL with a reason in note. */
static char *run_sample(pid_t pid, long timeout_ms, char *note, size_t note_size)
{
    /* $TMPDIR first: macOS gives every user a private one */
    const char *tmp = getenv("TMPDIR");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/stallcheck-sample.XXXXXX",
             tmp && *tmp && strlen(tmp) < 400 ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        snprintf(note, note_size, "mkdtemp: %s", strerror(errno));
        return NULL;
    }
    char file[sizeof dir + 16];
    snprintf(file, sizeof file, "%s/report.txt", dir);
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(note, note_size, "pipe: %s", strerror(errno));
        rmdir(dir);
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
    char *argv[] = {"sample", pid_text, "1", "-mayDie", "-file", file, NULL};
    pid_t sampler = 0;
    int rc = posix_spawnp(&sampler, "sample", &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        rmdir(dir);
        snprintf(note, note_size, "`sample` is not available (%s): pipe figures only",
                 strerror(rc));
        return NULL;
    }
    bool timed_out = false;
    char *printed = read_until(fds[0], clock_monotonic_ms() + timeout_ms, &timed_out);
    close(fds[0]);
    if (timed_out)
        kill(sampler, SIGKILL);
    int status = 0;
    while (waitpid(sampler, &status, 0) < 0 && errno == EINTR) {
    }
    char *text = read_report_file(file);
    unlink(file);
    rmdir(dir);
    if (text)
        free(printed);
    else
        text = printed;
    if (!text) {
        snprintf(note, note_size, "out of memory reading `sample` output");
        return NULL;
    }
    if (timed_out)
        snprintf(note, note_size, "`sample` did not finish within %ld ms; partial output used",
                 timeout_ms);
    return text;
}

bool evidence_baseline_is_cheap(void)
{
    return false; /* one `sample` takes a second: roles come from the kind of wait instead */
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
    sample_report_info info;
    if (sample_parse_report(text, (int)req->pid, out, &info) < 0 && !out->note[0])
        snprintf(out->note, sizeof out->note, "out of memory reading `sample` output");
    free(text);
    if (out->count == 0 && !out->note[0])
        snprintf(out->note, sizeof out->note, "`sample` output had no thread call graph");
    else if (!out->note[0])
        snprintf(out->note, sizeof out->note,
                 "from `sample PID 1` of the group leader; fds are not visible, a write frame is "
                 "taken as a write to the log pipe, a condition wait as an idle thread");
    evidence_tally(out);
}

#else /* the no-sampler road: the portable build on Linux, other systems */

bool evidence_baseline_is_cheap(void)
{
    return false; /* nothing to compare with */
}

void evidence_collect(const evidence_request *req, evidence *out)
{
    (void)req;
    memset(out, 0, sizeof *out);
    out->source = "none";
    snprintf(out->note, sizeof out->note,
             "no thread source in the %s build on %s (no /proc evidence; `sample` is macOS's): "
             "pipe figures only",
             platform_flavor(), platform_os_name());
    evidence_tally(out);
}

#endif
