/* child_process.c: start the child in its own process group; end and reap the whole group.
 * See child_process.h. */
#include "child_process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/prctl.h>
#endif

#include "util/clock.h"

/* How often the bounded waits look at the child again, and how long reaping may take after
 * SIGKILL (a process in uninterruptible sleep can delay its death). */
#define POLL_INTERVAL_MS 10
#define REAP_AFTER_KILL_MS 5000
#define ORPHAN_REAP_MS 2000


void child_init(child_process *c)
{
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
}

void child_destroy(child_process *c)
{
    pthread_mutex_destroy(&c->lock);
}

void child_adopt_orphans(void)
{
#if defined(__linux__) && defined(PR_SET_CHILD_SUBREAPER)
    (void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
#endif
}

int child_spawn(child_process *c, char *const argv[], char *const envp[], int stdout_fd,
                int stderr_fd, char *err, size_t err_size)
{
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    int rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) {
        snprintf(err, err_size, "posix_spawn_file_actions_init: %s", strerror(rc));
        return -1;
    }
    rc = posix_spawnattr_init(&attr);
    if (rc != 0) {
        posix_spawn_file_actions_destroy(&actions);
        snprintf(err, err_size, "posix_spawnattr_init: %s", strerror(rc));
        return -1;
    }

    rc = posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (rc == 0)
        rc = posix_spawn_file_actions_adddup2(&actions, stdout_fd, STDOUT_FILENO);
    if (rc == 0)
        rc = posix_spawn_file_actions_adddup2(&actions, stderr_fd, STDERR_FILENO);

    /* Own process group; default dispositions for the signals the harness ignores or catches;
     * an empty signal mask whatever the spawning thread had blocked. */
    sigset_t defaults, empty;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGHUP);
    sigaddset(&defaults, SIGCHLD);
    sigemptyset(&empty);
    if (rc == 0)
        rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
                                                 POSIX_SPAWN_SETSIGMASK);
    if (rc == 0)
        rc = posix_spawnattr_setpgroup(&attr, 0);
    if (rc == 0)
        rc = posix_spawnattr_setsigdefault(&attr, &defaults);
    if (rc == 0)
        rc = posix_spawnattr_setsigmask(&attr, &empty);

    pid_t pid = 0;
    if (rc == 0)
        rc = posix_spawnp(&pid, argv[0], &actions, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        snprintf(err, err_size, "cannot start '%s': %s", argv[0], strerror(rc));
        return -1;
    }

    pthread_mutex_lock(&c->lock);
    c->pid = pid;
    c->pgid = pid;
    pthread_mutex_unlock(&c->lock);
    return 0;
}

/* Reaps the leader without blocking; caller holds the lock. */
static bool reap_leader_locked(child_process *c)
{
    if (c->reaped)
        return true;
    if (c->pid <= 0)
        return false;
    int status = 0;
    pid_t r;
    do {
        r = waitpid(c->pid, &status, WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == c->pid) {
        c->reaped = true;
        c->wait_status = status;
        return true;
    }
    if (r < 0 && errno == ECHILD) {
        /* someone else reaped it (cannot happen here) or it never was ours: treat as gone */
        c->reaped = true;
        c->wait_status = 0;
        return true;
    }
    return false;
}

bool child_has_exited(child_process *c)
{
    pthread_mutex_lock(&c->lock);
    bool gone = reap_leader_locked(c);
    pthread_mutex_unlock(&c->lock);
    return gone;
}

static void signal_group(child_process *c, int sig)
{
    pthread_mutex_lock(&c->lock);
    if (c->pgid > 0) {
        (void)kill(-c->pgid, sig); /* ESRCH: the group is already gone */
        if (sig == SIGTERM)
            c->term_sent = true;
        if (sig == SIGKILL)
            c->kill_sent = true;
    }
    pthread_mutex_unlock(&c->lock);
}

/* Waits up to ms for the leader to be reaped. */
static bool wait_leader(child_process *c, long ms)
{
    int64_t deadline = clock_monotonic_ms() + ms;
    for (;;) {
        if (child_has_exited(c))
            return true;
        if (clock_monotonic_ms() >= deadline)
            return false;
        sleep_ms(POLL_INTERVAL_MS);
    }
}

/* Reaps group members re-parented to us (subreaper) until none is left or time runs out. */
static void reap_orphans(child_process *c)
{
    pid_t pgid;
    pthread_mutex_lock(&c->lock);
    pgid = c->pgid;
    pthread_mutex_unlock(&c->lock);
    if (pgid <= 0)
        return;
    int64_t deadline = clock_monotonic_ms() + ORPHAN_REAP_MS;
    for (;;) {
        int status = 0;
        pthread_mutex_lock(&c->lock); /* the leader's status must not be lost to a race */
        pid_t r = waitpid(-pgid, &status, WNOHANG);
        if (r > 0) {
            if (r == c->pid && !c->reaped) {
                c->reaped = true;
                c->wait_status = status;
            } else {
                c->orphans_reaped++;
            }
        }
        pthread_mutex_unlock(&c->lock);
        if (r > 0)
            continue;
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return; /* ECHILD: no member of the group is our child any more */
        /* r == 0: a member is still alive (or not yet re-parented) */
        if (clock_monotonic_ms() >= deadline)
            return;
        kill(-pgid, SIGKILL);
        sleep_ms(POLL_INTERVAL_MS);
    }
}

void child_terminate(child_process *c, long grace_ms)
{
    pthread_mutex_lock(&c->lock);
    bool spawned = c->pid > 0;
    pthread_mutex_unlock(&c->lock);
    if (!spawned)
        return;

    bool gone_already = child_has_exited(c);
    if (!gone_already) {
        signal_group(c, SIGTERM);
        if (!wait_leader(c, grace_ms)) {
            pthread_mutex_lock(&c->lock);
            c->term_ignored = true;
            pthread_mutex_unlock(&c->lock);
        }
    } else {
        pthread_mutex_lock(&c->lock);
        if (!c->term_sent)
            c->exited_before_term = true;
        pthread_mutex_unlock(&c->lock);
    }
    /* Always: whatever the leader did, no member of its group survives the harness. */
    signal_group(c, SIGKILL);
    (void)wait_leader(c, REAP_AFTER_KILL_MS);
    reap_orphans(c);
}

void child_kill_now(child_process *c)
{
    pthread_mutex_lock(&c->lock);
    bool spawned = c->pid > 0;
    pthread_mutex_unlock(&c->lock);
    if (!spawned)
        return;
    signal_group(c, SIGKILL);
    (void)wait_leader(c, REAP_AFTER_KILL_MS);
    reap_orphans(c);
}

const char *child_signal_name(int sig)
{
    switch (sig) {
    case SIGHUP: return "SIGHUP";
    case SIGINT: return "SIGINT";
    case SIGQUIT: return "SIGQUIT";
    case SIGILL: return "SIGILL";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGKILL: return "SIGKILL";
    case SIGSEGV: return "SIGSEGV";
    case SIGPIPE: return "SIGPIPE";
    case SIGALRM: return "SIGALRM";
    case SIGTERM: return "SIGTERM";
    default: return "signal";
    }
}

void child_describe_exit(child_process *c, char *out, size_t out_size)
{
    pthread_mutex_lock(&c->lock);
    if (c->pid <= 0)
        snprintf(out, out_size, "not started");
    else if (!c->reaped)
        snprintf(out, out_size, "running");
    else if (WIFEXITED(c->wait_status))
        snprintf(out, out_size, "exited with status %d", WEXITSTATUS(c->wait_status));
    else if (WIFSIGNALED(c->wait_status))
        snprintf(out, out_size, "killed by signal %d (%s)", WTERMSIG(c->wait_status),
                 child_signal_name(WTERMSIG(c->wait_status)));
    else
        snprintf(out, out_size, "ended (wait status 0x%x)", (unsigned)c->wait_status);
    pthread_mutex_unlock(&c->lock);
}

int child_exit_code(child_process *c)
{
    pthread_mutex_lock(&c->lock);
    int code = c->reaped && WIFEXITED(c->wait_status) ? WEXITSTATUS(c->wait_status) : -1;
    pthread_mutex_unlock(&c->lock);
    return code;
}

int child_exit_signal(child_process *c)
{
    pthread_mutex_lock(&c->lock);
    int sig = c->reaped && WIFSIGNALED(c->wait_status) ? WTERMSIG(c->wait_status) : -1;
    pthread_mutex_unlock(&c->lock);
    return sig;
}
