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

#include "platform/platform.h"
#include "process_tree.h"

#if KIRO_HAVE_CHILD_SUBREAPER
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

bool child_adopt_orphans(void)
{
#if KIRO_HAVE_CHILD_SUBREAPER && defined(PR_SET_CHILD_SUBREAPER)
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
#else
    return false; /* macOS, the portable build: an orphan goes to init/launchd */
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

/* Records d as escaped when it is outside the child's group; caller holds the lock. Returns 1
 * when it is new. */
static int note_descendant_locked(child_process *c, const process_entry *d, int session)
{
    if (d->pgid == (int)c->pgid)
        return 0;
    for (int i = 0; i < c->escaped_count; i++)
        if (c->escaped[i].pid == d->pid)
            return 0;
    c->escaped_seen++;
    if (c->escaped_count >= CHILD_MAX_ESCAPED)
        return 1;
    escaped_process *e = &c->escaped[c->escaped_count++];
    memset(e, 0, sizeof *e);
    e->pid = d->pid;
    e->ppid = d->ppid;
    e->pgid = d->pgid;
    e->sid = d->sid;
    e->own_session = d->sid != session;
    snprintf(e->name, sizeof e->name, "%s", d->name);
    return 1;
}

/* The child's session: the harness's own (the child leads a new group, not a new session). */
static int child_session_locked(const child_process *c)
{
    pid_t sid = c->pid > 0 && !c->reaped ? getsid(c->pid) : -1;
    return sid > 0 ? (int)sid : (int)getsid(0);
}

int child_scan_descendants(child_process *c)
{
    process_entry found[64];
    long n = process_tree_descendants(getpid(), found, sizeof found / sizeof found[0]);
    pthread_mutex_lock(&c->lock);
    int added = 0;
    if (n < 0) {
        c->tree_unsupported = true;
    } else {
        int session = child_session_locked(c);
        for (long i = 0; i < n && i < (long)(sizeof found / sizeof found[0]); i++)
            added += note_descendant_locked(c, &found[i], session);
    }
    pthread_mutex_unlock(&c->lock);
    return added;
}

/* SIGKILLs every descendant, wherever it went, and the escaped ones seen earlier that still
 * exist in the group they were seen in (macOS: an orphan is no longer our descendant). */
static void kill_descendants(child_process *c)
{
    (void)child_scan_descendants(c);
    process_entry found[256];
    long n = process_tree_descendants(getpid(), found, sizeof found / sizeof found[0]);
    pthread_mutex_lock(&c->lock);
    for (long i = 0; i < n && i < (long)(sizeof found / sizeof found[0]); i++) {
        if (kill(found[i].pid, SIGKILL) == 0 && found[i].pgid != (int)c->pgid)
            c->descendants_killed++;
    }
    for (int i = 0; i < c->escaped_count; i++) {
        process_entry now;
        escaped_process *e = &c->escaped[i];
        if (process_tree_read(e->pid, &now) == 0 && now.pgid == e->pgid &&
            strcmp(now.name, e->name) == 0)
            (void)kill(e->pid, SIGKILL);
    }
    pthread_mutex_unlock(&c->lock);
}

/* Marks the escaped processes that are gone now; caller holds the lock. */
static void note_escapees_gone_locked(child_process *c)
{
    for (int i = 0; i < c->escaped_count; i++) {
        process_entry now;
        escaped_process *e = &c->escaped[i];
        if (process_tree_read(e->pid, &now) != 0 || now.pgid != e->pgid)
            e->killed = true;
    }
}

/* Reaps every child of the harness (the leader, and with the subreaper every orphaned
 * descendant) until none is left or time runs out, SIGKILLing what still lives. */
static void reap_all(child_process *c)
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
        pid_t r = waitpid(-1, &status, WNOHANG);
        if (r > 0) {
            if (r == c->pid && !c->reaped) {
                c->reaped = true;
                c->wait_status = status;
            } else if (r != c->pid) {
                c->orphans_reaped++;
            }
        }
        pthread_mutex_unlock(&c->lock);
        if (r > 0)
            continue;
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break; /* ECHILD: no child of ours is left */
        /* r == 0: a child is still alive (or not yet re-parented) */
        if (clock_monotonic_ms() >= deadline)
            break;
        kill(-pgid, SIGKILL);
        kill_descendants(c);
        sleep_ms(POLL_INTERVAL_MS);
    }
    /* An escaped process that is not our child (no subreaper: macOS, the portable build) is not
     * reaped here, so nothing above waited for its SIGKILL to land: wait for that, bounded. */
    deadline = clock_monotonic_ms() + ORPHAN_REAP_MS;
    for (;;) {
        pthread_mutex_lock(&c->lock);
        note_escapees_gone_locked(c);
        bool pending = false;
        for (int i = 0; i < c->escaped_count; i++)
            pending = pending || !c->escaped[i].killed;
        pthread_mutex_unlock(&c->lock);
        if (!pending || clock_monotonic_ms() >= deadline)
            break;
        kill_descendants(c);
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

    (void)child_scan_descendants(c); /* before the group goes: orphans may move (macOS) */
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
    /* Always: whatever the leader did, no descendant survives the harness. */
    signal_group(c, SIGKILL);
    kill_descendants(c);
    (void)wait_leader(c, REAP_AFTER_KILL_MS);
    reap_all(c);
}

void child_kill_now(child_process *c)
{
    pthread_mutex_lock(&c->lock);
    bool spawned = c->pid > 0;
    pthread_mutex_unlock(&c->lock);
    if (!spawned)
        return;
    signal_group(c, SIGKILL);
    kill_descendants(c);
    (void)wait_leader(c, REAP_AFTER_KILL_MS);
    reap_all(c);
}

const char *child_signal_name(int sig)
{
    switch (sig) {
    case SIGHUP:
        return "SIGHUP";
    case SIGINT:
        return "SIGINT";
    case SIGQUIT:
        return "SIGQUIT";
    case SIGILL:
        return "SIGILL";
    case SIGABRT:
        return "SIGABRT";
    case SIGBUS:
        return "SIGBUS";
    case SIGFPE:
        return "SIGFPE";
    case SIGKILL:
        return "SIGKILL";
    case SIGSEGV:
        return "SIGSEGV";
    case SIGPIPE:
        return "SIGPIPE";
    case SIGALRM:
        return "SIGALRM";
    case SIGTERM:
        return "SIGTERM";
    default:
        return "signal";
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
