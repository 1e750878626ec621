/* thread_shape.c: baseline comparison and the words for a stall's shape; see thread_shape.h. */
#include "thread_shape.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const thread_evidence *find_thread(const evidence *ev, int pid, int tid)
{
    for (size_t i = 0; i < ev->count; i++)
        if (ev->threads[i].pid == pid && ev->threads[i].tid == tid)
            return &ev->threads[i];
    return NULL;
}

static bool was_waiting(thread_role role)
{
    return role == ROLE_LOCK_WAITER || role == ROLE_IDLE;
}

void thread_shape_apply_baseline(evidence *ev, const evidence *baseline)
{
    if (!baseline || !baseline->source)
        return;
    for (size_t i = 0; i < ev->count; i++) {
        thread_evidence *t = &ev->threads[i];
        const thread_evidence *before = find_thread(baseline, t->pid, t->tid);
        if (!before)
            continue;
        bool addresses_known = t->wait_address != 0 && before->wait_address != 0;
        bool same_word = !addresses_known || t->wait_address == before->wait_address;
        if (t->role == ROLE_LOCK_WAITER && was_waiting(before->role) && same_word) {
            t->role = ROLE_IDLE;
            t->same_wait_as_baseline = true;
        } else if (t->role == ROLE_OTHER && before->role == ROLE_OTHER && t->syscall_nr >= 0 &&
                   t->syscall_nr == before->syscall_nr) {
            t->same_wait_as_baseline = true; /* e.g. the main thread in sigwait, a listener in poll */
        }
    }
    ev->baseline_applied = true;
    evidence_tally(ev);
}

/* Appends printf-style text at *used, never past size. */
static void append(char *out, size_t size, size_t *used, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void append(char *out, size_t size, size_t *used, const char *fmt, ...)
{
    if (*used >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out + *used, size - *used, fmt, ap);
    va_end(ap);
    if (n > 0)
        *used += (size_t)n < size - *used ? (size_t)n : size - *used - 1;
}

void thread_shape_describe(const evidence *ev, char *out, size_t out_size)
{
    size_t used = 0;
    out[0] = '\0';
    if (!ev->source || ev->count == 0) {
        append(out, out_size, &used, "no thread evidence");
        return;
    }
    append(out, out_size, &used, "%zu thread(s) blocked writing the log pipe", ev->log_writers);
    if (ev->convoy_threads >= 2) {
        if (ev->convoy_address_known)
            append(out, out_size, &used, "; %zu waiting on one futex word (0x%llx in pid %d): a lock convoy",
                   ev->convoy_threads, ev->convoy_address, ev->convoy_pid);
        else
            append(out, out_size, &used, "; %zu waiting on a mutex (addresses not visible here)",
                   ev->convoy_threads);
        if (ev->lock_waiters > ev->convoy_threads)
            append(out, out_size, &used, "; %zu other new lock wait(s)", ev->lock_waiters - ev->convoy_threads);
    } else if (ev->lock_waiters > 0) {
        append(out, out_size, &used, "; %zu new lock wait(s), no two on the same word (no convoy)",
               ev->lock_waiters);
    } else {
        append(out, out_size, &used, "; no lock waiters");
    }
    if (ev->other_writers > 0)
        append(out, out_size, &used, "; %zu blocked writing something else", ev->other_writers);
    if (ev->baseline_applied)
        append(out, out_size, &used, "; %zu idle since before the trigger", ev->idle);
    else if (ev->idle > 0)
        append(out, out_size, &used, "; %zu parked in condition waits (taken as idle)", ev->idle);
    size_t rest = ev->count - ev->log_writers - ev->lock_waiters - ev->idle - ev->other_writers;
    if (rest > 0)
        append(out, out_size, &used, "; %zu elsewhere (poll, accept, sleep, running ...)", rest);
}

/* The name of the call a thread waits in: "recvfrom", "futex 0x.. (pid N)", "write(fd=2) on the
 * log pipe". */
static void wait_name(const thread_evidence *t, char *out, size_t size)
{
    if (t->role == ROLE_LOG_WRITER) {
        snprintf(out, size, "write(fd=%ld) on the log pipe", t->fd);
        return;
    }
    if (t->wait_address != 0) {
        snprintf(out, size, "futex 0x%llx (pid %d)", t->wait_address, t->pid);
        return;
    }
    const char *paren = strchr(t->syscall, '(');
    size_t len = paren ? (size_t)(paren - t->syscall) : strlen(t->syscall);
    if (len >= size)
        len = size - 1;
    memcpy(out, t->syscall, len);
    out[len] = '\0';
    if (t->wchan[0] && strcmp(t->wchan, "0") != 0 && len + strlen(t->wchan) + 4 < size) {
        strcat(out, " [");
        strcat(out, t->wchan);
        strcat(out, "]");
    }
}

void thread_shape_waits(const evidence *ev, char *out, size_t out_size)
{
    size_t used = 0;
    out[0] = '\0';
    char names[64][96];
    size_t counts[64];
    size_t kinds = 0;
    for (size_t i = 0; i < ev->count; i++) {
        const thread_evidence *t = &ev->threads[i];
        if (t->role == ROLE_IDLE || t->role == ROLE_RUNNING || t->role == ROLE_UNKNOWN ||
            t->same_wait_as_baseline)
            continue;
        char name[96];
        wait_name(t, name, sizeof name);
        size_t k = 0;
        while (k < kinds && strcmp(names[k], name) != 0)
            k++;
        if (k == kinds) {
            if (kinds == 64)
                continue;
            snprintf(names[kinds], sizeof names[kinds], "%s", name);
            counts[kinds++] = 0;
        }
        counts[k]++;
    }
    for (size_t k = 0; k < kinds; k++)
        append(out, out_size, &used, "%s%zu in %s", k ? ", " : "", counts[k], names[k]);
}
