/* thread_role.c: classify one thread sample, merge samples; see thread_role.h. */
#include "thread_role.h"

#include <string.h>

bool thread_role_wchan_is_pipe_write(const char *wchan)
{
    /* pipe_write on older kernels, anon_pipe_write since the 6.x anonymous pipe split */
    return wchan && (strcmp(wchan, "pipe_write") == 0 || strcmp(wchan, "anon_pipe_write") == 0);
}

bool thread_role_wchan_is_futex(const char *wchan)
{
    /* futex_wait_queue_me (< 5.16), futex_wait_queue (5.16+), futex_do_wait (6.x) */
    return wchan && strncmp(wchan, "futex_", 6) == 0;
}

static bool wchan_known(const char *wchan)
{
    return wchan && wchan[0] != '\0' && strcmp(wchan, "0") != 0;
}

static thread_role classify_by_wchan(const char *wchan)
{
    if (thread_role_wchan_is_pipe_write(wchan))
        return ROLE_LOG_WRITER; /* which pipe is unknown here; the pipe level decides later */
    if (thread_role_wchan_is_futex(wchan))
        return ROLE_LOCK_WAITER;
    return wchan_known(wchan) ? ROLE_OTHER : ROLE_UNKNOWN;
}

thread_role thread_role_classify(syscall_arch arch, const thread_sample *s)
{
    switch (s->syscall.state) {
    case SYSCALL_STATE_RUNNING:
        return ROLE_RUNNING;
    case SYSCALL_STATE_UNREADABLE:
    case SYSCALL_STATE_NONE:
        return classify_by_wchan(s->wchan);
    case SYSCALL_STATE_IN_SYSCALL:
        break;
    }
    long nr = s->syscall.nr;
    if (syscall_is_write(arch, nr)) {
        if (s->fd_known)
            return s->fd_is_log_pipe ? ROLE_LOG_WRITER : ROLE_OTHER_WRITER;
        /* fd target unreadable: stdout/stderr blocked in the pipe write path is the log pipe */
        if ((s->fd == 1 || s->fd == 2) && (thread_role_wchan_is_pipe_write(s->wchan) || !wchan_known(s->wchan)))
            return ROLE_LOG_WRITER;
        return ROLE_OTHER_WRITER;
    }
    if (syscall_is_futex(arch, nr))
        return ROLE_LOCK_WAITER;
    if (arch == SYSCALL_ARCH_OTHER)
        return classify_by_wchan(s->wchan); /* numbers unknown here: fall back to wchan */
    return ROLE_OTHER;
}

thread_role thread_role_merge(const int *counts)
{
    thread_role best = ROLE_UNKNOWN;
    int best_count = 0;
    for (int r = 0; r < ROLE_COUNT; r++) {
        if (r == ROLE_UNKNOWN || r == ROLE_RUNNING)
            continue;
        if (counts[r] > best_count) {
            best = (thread_role)r;
            best_count = counts[r];
        }
    }
    if (best_count > 0)
        return best;
    return counts[ROLE_RUNNING] > 0 ? ROLE_RUNNING : ROLE_UNKNOWN;
}

const char *thread_role_name(thread_role role)
{
    switch (role) {
    case ROLE_UNKNOWN: return "unknown";
    case ROLE_RUNNING: return "running";
    case ROLE_LOG_WRITER: return "log-pipe-writer";
    case ROLE_OTHER_WRITER: return "other-writer";
    case ROLE_LOCK_WAITER: return "lock-waiter";
    case ROLE_IDLE: return "idle";
    case ROLE_OTHER: return "other";
    case ROLE_COUNT: break;
    }
    return "unknown";
}
