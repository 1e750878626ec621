/* fixture_spawn.c: helpers, daemons and idle threads for stall-test-server; see the header. */
#include "fixture_spawn.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/platform.h"

static void sleep_forever(void)
{
    for (;;)
        pause();
}

pid_t fixture_spawn_stubborn_helper(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGTERM, SIG_IGN);
        sleep_forever();
    }
    return pid;
}

/* Reads a pid from fd (the grandchild tells who it is before the middle process exits). */
static pid_t read_pid(int fd)
{
    pid_t pid = -1;
    size_t got = 0;
    while (got < sizeof pid) {
        ssize_t n = read(fd, (char *)&pid + got, sizeof pid - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    return pid;
}

pid_t fixture_spawn_daemon(void)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t middle = fork();
    if (middle < 0)
        return -1;
    if (middle == 0) {
        close(fds[0]);
        setsid(); /* a new session and group: out of reach of the group's signals */
        pid_t daemon = fork();
        if (daemon == 0) {
            pid_t self = getpid();
            ssize_t ignored = write(fds[1], &self, sizeof self);
            (void)ignored;
            close(fds[1]);
            sleep_forever();
        }
        _exit(daemon > 0 ? 0 : 1); /* the daemon is orphaned: re-parented to the subreaper */
    }
    close(fds[1]);
    pid_t daemon = read_pid(fds[0]);
    close(fds[0]);
    while (waitpid(middle, NULL, 0) < 0 && errno == EINTR) {
    }
    return daemon;
}

pid_t fixture_spawn_session_helper(void)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        setsid();
        char byte = 1;
        ssize_t ignored = write(fds[1], &byte, 1); /* setsid is done: the parent may go on */
        (void)ignored;
        close(fds[1]);
        sleep_forever();
    }
    close(fds[1]);
    char byte = 0;
    while (pid > 0 && read(fds[0], &byte, 1) < 0 && errno == EINTR) {
    }
    close(fds[0]);
    return pid;
}

static pthread_mutex_t idle_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle_wakeup = PTHREAD_COND_INITIALIZER; /* never signalled */

static void *idle_thread(void *arg)
{
    (void)arg;
    platform_set_thread_name("idle-worker");
    pthread_mutex_lock(&idle_lock);
    for (;;)
        pthread_cond_wait(&idle_wakeup, &idle_lock);
    return NULL;
}

int fixture_start_idle_threads(int n)
{
    int started = 0;
    for (int i = 0; i < n; i++) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, idle_thread, NULL) != 0)
            break;
        pthread_detach(thread);
        started++;
    }
    return started;
}
