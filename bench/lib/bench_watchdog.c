/* bench_watchdog.c: the program-wide deadline; see bench_watchdog.h. */
#include "bench_watchdog.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum { TRACKED_MAX = 64 };

static volatile pid_t tracked[TRACKED_MAX];
static const char *program_name = "bench";

static void say(const char *text)
{
    ssize_t ignored = write(STDERR_FILENO, text, strlen(text));
    (void)ignored;
}

static void on_signal(int sig)
{
    say(program_name);
    say(sig == SIGALRM ? ": watchdog deadline reached, killing children\n"
                       : ": interrupted, killing children\n");
    for (int i = 0; i < TRACKED_MAX; i++) {
        pid_t pid = tracked[i];
        if (pid > 0) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
        }
    }
    for (int i = 0; i < TRACKED_MAX; i++) {
        pid_t pid = tracked[i];
        if (pid > 0)
            waitpid(pid, NULL, 0); /* SIGKILL was sent: this returns */
    }
    _exit(BENCH_WATCHDOG_EXIT);
}

void bench_watchdog_start(const char *program, unsigned seconds)
{
    program_name = program;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigfillset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    alarm(seconds);
}

void bench_watchdog_track(pid_t pid)
{
    for (int i = 0; i < TRACKED_MAX; i++) {
        if (tracked[i] <= 0) {
            tracked[i] = pid;
            return;
        }
    }
}

void bench_watchdog_untrack(pid_t pid)
{
    for (int i = 0; i < TRACKED_MAX; i++)
        if (tracked[i] == pid)
            tracked[i] = 0;
}
