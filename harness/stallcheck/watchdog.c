/* watchdog.c: the run-time bound and the signal path; see watchdog.h. */
#include "watchdog.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "platform/platform.h"
#include "report_markdown.h"
#include "util/clock.h"

/* The one piece of process-wide state: where the signal handler writes. Set by watchdog_start,
 * reset by watchdog_stop. */
static volatile sig_atomic_t signal_pipe_fd = -1;

static void on_signal(int sig)
{
    int fd = signal_pipe_fd;
    if (fd >= 0) {
        unsigned char byte = (unsigned char)sig;
        ssize_t ignored = write(fd, &byte, 1);
        (void)ignored;
    }
}

static void set_handlers(void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static void write_error_json(const char *path, const char *reason, int child_pid)
{
    if (!path)
        return;
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    /* reason is one of the fixed texts below: no escaping needed */
    fprintf(f,
            "{\n  \"verdict\": \"error\",\n  \"error\": \"%s\",\n  \"cause\": null,\n"
            "  \"child\": {\"pid\": %d, \"exit\": \"killed by the watchdog\"}\n}\n",
            reason, child_pid);
    fclose(f);
}

/* Waits up to ms for watchdog_stop (a zero byte): the run has written its reports. */
static bool wait_for_reports(watchdog *w, long ms)
{
    int64_t deadline = clock_monotonic_ms() + ms;
    for (;;) {
        int64_t left = deadline - clock_monotonic_ms();
        if (left <= 0)
            return false;
        struct pollfd pfd = { w->wake[0], POLLIN, 0 };
        int n = poll(&pfd, 1, (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n > 0) {
            unsigned char byte = 1;
            if (read(w->wake[0], &byte, 1) == 1 && byte == 0)
                return true;
        }
    }
}

static void *watchdog_thread(void *arg)
{
    watchdog *w = arg;
    platform_set_thread_name("stall-watchdog");
    int64_t deadline = clock_monotonic_ms() + w->timeout_s * 1000;
    int sig = 0;
    for (;;) {
        int64_t left = deadline - clock_monotonic_ms();
        if (left <= 0)
            break;
        struct pollfd pfd = { w->wake[0], POLLIN, 0 };
        int n = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n > 0) {
            unsigned char byte = 0;
            if (read(w->wake[0], &byte, 1) == 1 && byte == 0)
                return NULL; /* watchdog_stop: the run ended normally */
            sig = byte;
            break;
        }
    }

    if (sig)
        snprintf(w->reason, sizeof w->reason, "interrupted by signal %d: the child process group was killed", sig);
    else
        snprintf(w->reason, sizeof w->reason,
                 "watchdog: the run exceeded --timeout %ld s; the child process group was killed",
                 w->timeout_s);
    atomic_store(&w->fired, true);
    fprintf(stderr, "stallcheck: %s\n", w->reason);
    pthread_mutex_lock(&w->child->lock);
    int pid = (int)w->child->pid;
    pthread_mutex_unlock(&w->child->lock);
    child_kill_now(w->child);
    if (wait_for_reports(w, WATCHDOG_REPORT_GRACE_MS))
        return NULL; /* the run unwound and wrote its reports */
    fprintf(stderr, "stallcheck: the run did not finish its reports within %d ms of the watchdog; "
                    "writing a minimal result\n", WATCHDOG_REPORT_GRACE_MS);
    write_error_json(w->json_path, sig ? "interrupted by a signal" : "watchdog timeout", pid);
    const char *summary_path = atomic_load(&w->summary_path);
    if (summary_path)
        (void)report_write_markdown_minimal(summary_path, w->reason, pid);
    fflush(NULL);
    _exit(2);
}

bool watchdog_has_fired(const watchdog *w)
{
    return w && w->running && atomic_load(&w->fired);
}

const atomic_bool *watchdog_flag(const watchdog *w)
{
    return w ? &w->fired : NULL;
}

const char *watchdog_reason(const watchdog *w)
{
    return w && atomic_load(&w->fired) ? w->reason : "";
}

int watchdog_start(watchdog *w, long timeout_s, child_process *child, const char *json_path)
{
    memset(w, 0, sizeof *w);
    atomic_store(&w->fired, false);
    w->timeout_s = timeout_s;
    w->child = child;
    w->json_path = json_path;
    if (pipe(w->wake) != 0)
        return -1;
    for (int i = 0; i < 2; i++)
        fcntl(w->wake[i], F_SETFD, FD_CLOEXEC);
    fcntl(w->wake[1], F_SETFL, O_NONBLOCK);
    if (pthread_create(&w->thread, NULL, watchdog_thread, w) != 0) {
        close(w->wake[0]);
        close(w->wake[1]);
        return -1;
    }
    w->running = true;
    signal_pipe_fd = w->wake[1];
    set_handlers(on_signal);
    return 0;
}

void watchdog_stop(watchdog *w)
{
    if (!w->running)
        return;
    set_handlers(SIG_DFL);
    signal_pipe_fd = -1;
    unsigned char zero = 0;
    ssize_t ignored = write(w->wake[1], &zero, 1);
    (void)ignored;
    pthread_join(w->thread, NULL);
    close(w->wake[0]);
    close(w->wake[1]);
    w->running = false;
}
