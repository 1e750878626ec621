/* fx_watchdog.c: kill-and-reap watchdog thread for one fault-case process; see fx_watchdog.h. */
#include "fx_watchdog.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fx_check.h"
#include "fx_report.h"
#include "proc.h"
#include "util/clock.h"

#define MAX_TRACKED 16
#define MAX_DIRS 4

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t tracked[MAX_TRACKED];
static char dirs[MAX_DIRS][256];
static const char *watched_case = "?";
static const char *current_build = "-";
static int limit_s;

void fx_watchdog_set_build(const char *build)
{
    pthread_mutex_lock(&lock);
    current_build = build;
    pthread_mutex_unlock(&lock);
}

void fx_watchdog_track(pid_t pid)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_TRACKED; i++) {
        if (tracked[i] == 0) {
            tracked[i] = pid;
            break;
        }
    }
    pthread_mutex_unlock(&lock);
}

void fx_watchdog_untrack(pid_t pid)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_TRACKED; i++)
        if (tracked[i] == pid)
            tracked[i] = 0;
    pthread_mutex_unlock(&lock);
}

void fx_watchdog_track_dir(const char *dir)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_DIRS; i++) {
        if (!dirs[i][0]) {
            snprintf(dirs[i], sizeof dirs[i], "%s", dir);
            break;
        }
    }
    pthread_mutex_unlock(&lock);
}

void fx_watchdog_untrack_dir(const char *dir)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_DIRS; i++)
        if (strcmp(dirs[i], dir) == 0)
            dirs[i][0] = '\0';
    pthread_mutex_unlock(&lock);
}

static void fire(void)
{
    pthread_mutex_lock(&lock);
    fprintf(stderr, "[%s] WATCHDOG: no result after %d s while running %s: killing everything\n",
            watched_case, limit_s, current_build);
    for (int i = 0; i < MAX_TRACKED; i++) {
        if (tracked[i] > 0) {
            kill(-tracked[i], SIGKILL);
            kill(tracked[i], SIGKILL);
        }
    }
    for (int i = 0; i < MAX_TRACKED; i++) {
        if (tracked[i] <= 0)
            continue;
        /* SIGKILL cannot be ignored; bound the reap anyway. */
        long long end = fx_now_ms() + 5000;
        while (waitpid(tracked[i], NULL, WNOHANG) == 0 && fx_now_ms() < end)
            fx_sleep_ms(10);
    }
    for (int i = 0; i < MAX_DIRS; i++)
        if (dirs[i][0])
            tp_remove_dir(dirs[i]);
    char text[200];
    snprintf(text, sizeof text, "WATCHDOG fired after %d s while running %s", limit_s,
             current_build);
    fx_report_write_row(watched_case, text, text, (long long)limit_s * 1000);
    pthread_mutex_unlock(&lock);
    _exit(3);
}

static void *watchdog_main(void *arg)
{
    (void)arg;
    sleep_ms((int64_t)limit_s * 1000);
    fire();
    return NULL;
}

void fx_watchdog_start(const char *case_name, int seconds)
{
    watched_case = case_name;
    limit_s = seconds;
    pthread_t t;
    if (pthread_create(&t, NULL, watchdog_main, NULL) == 0)
        pthread_detach(t);
}
