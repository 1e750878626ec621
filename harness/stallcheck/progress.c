/* progress.c: the status line of a run on a terminal; see progress.h. */
#include "progress.h"

#include <string.h>

#include "platform/platform.h"
#include "svg_out.h"

#define PROGRESS_REDRAW_MS 100

/* The latest event of the kinds that change the phase, and the latest pipe level. */
typedef struct moment {
    timeline_kind phase; /* TL_KIND_COUNT: nothing yet */
    int64_t phase_ms;
    long round;
    long pending; /* -1 unknown */
    bool recovered;
} moment;

static moment read_moment(const timeline *tl_const)
{
    timeline *tl = (timeline *)tl_const; /* locking only */
    moment m = {TL_KIND_COUNT, 0, 0, -1, false};
    if (!tl->events)
        return m;
    pthread_mutex_lock(&tl->lock);
    for (size_t i = 0; i < tl->event_count; i++) {
        const timeline_event *e = &tl->events[i];
        switch (e->kind) {
        case TL_SPAWNED:
        case TL_READY:
        case TL_TRIGGER_SENT:
        case TL_FAULT_REACHED:
        case TL_FAULT_NOT_REACHED:
        case TL_VERDICT:
        case TL_DRAIN:
        case TL_RECOVERY:
        case TL_CHILD_ENDED:
        case TL_WATCHDOG:
        case TL_PROBE_ROUND:
            if (e->kind == TL_TRIGGER_SENT && m.phase != TL_KIND_COUNT && m.phase != TL_SPAWNED &&
                m.phase != TL_READY)
                break; /* a later trigger of a flood does not move the phase back */
            m.phase = e->kind;
            m.phase_ms = e->t_ms;
            if (e->kind == TL_PROBE_ROUND)
                m.round = e->value;
            if (e->kind == TL_RECOVERY)
                m.recovered = e->value != 0;
            break;
        default:
            break;
        }
    }
    if (tl->pipe_count > 0)
        m.pending = tl->pipe[tl->pipe_count - 1].pending;
    pthread_mutex_unlock(&tl->lock);
    return m;
}

void progress_describe(const timeline *tl, long rounds, long deadline_ms, long capacity,
                       int64_t elapsed_ms, char *out, size_t size)
{
    moment m = read_moment(tl);
    char level[32] = "?", cap[32] = "?", so_far[24], deadline[24];
    if (m.pending >= 0)
        snprintf(level, sizeof level, "%.1f", (double)m.pending / 1024.0);
    if (capacity > 0)
        svg_format_bytes(capacity, cap, sizeof cap);
    svg_format_duration((long)(elapsed_ms - m.phase_ms), so_far, sizeof so_far);
    svg_format_duration(deadline_ms, deadline, sizeof deadline);
    switch (m.phase) {
    case TL_KIND_COUNT:
    case TL_SPAWNED:
        snprintf(out, size, "starting the server");
        return;
    case TL_READY:
        snprintf(out, size, "server ready; taking the baseline, sending the trigger");
        return;
    case TL_TRIGGER_SENT:
        snprintf(out, size, "filling the pipe %s/%s", level, cap);
        return;
    case TL_FAULT_REACHED:
        snprintf(out, size, "pipe full (%s/%s): fault in place, probing", level, cap);
        return;
    case TL_FAULT_NOT_REACHED:
        snprintf(out, size, "fault NOT reached (%s/%s), probing anyway", level, cap);
        return;
    case TL_PROBE_ROUND:
        snprintf(out, size, "probing round %ld/%ld (%s of the %s deadline), pipe %s/%s", m.round,
                 rounds, so_far, deadline, level, cap);
        return;
    case TL_VERDICT:
        snprintf(out, size, "verdict known; draining the pipe to check recovery");
        return;
    case TL_DRAIN:
        snprintf(out, size, "draining the pipe: recovery probes");
        return;
    case TL_RECOVERY:
        snprintf(out, size, "%s; ending the server", m.recovered ? "recovered" : "NOT recovered");
        return;
    case TL_CHILD_ENDED:
        snprintf(out, size, "server ended; writing the reports");
        return;
    case TL_WATCHDOG:
        snprintf(out, size, "watchdog fired: ending everything");
        return;
    default:
        snprintf(out, size, "running");
        return;
    }
}

static void draw(progress *p, const char *text, bool final)
{
    char line[256];
    int n = snprintf(line, sizeof line, "stallcheck [%5.1f s] %s",
                     (double)timeline_now(p->tl) / 1000.0, text);
    if (final)
        n = snprintf(line, sizeof line, "stallcheck: %s", text);
    (void)n;
    /* \r, the line, erase to the end of the line (what a shorter line leaves behind) */
    fprintf(p->out, "\r%s\033[K%s", line, final ? "\n" : "");
    fflush(p->out);
}

static void *progress_thread(void *arg)
{
    progress *p = arg;
    platform_set_thread_name("stall-progress");
    unsigned long seq = 0;
    while (!atomic_load(&p->stop)) {
        char text[200];
        progress_describe(p->tl, p->rounds, p->deadline_ms, atomic_load(&p->capacity),
                          timeline_now(p->tl), text, sizeof text);
        draw(p, text, false);
        (void)timeline_wait_event(p->tl, &seq, PROGRESS_REDRAW_MS);
    }
    return NULL;
}

int progress_start(progress *p, FILE *out, timeline *tl, long rounds, long deadline_ms)
{
    memset(p, 0, sizeof *p);
    atomic_init(&p->capacity, 0);
    atomic_init(&p->stop, false);
    if (!out || !tl || !tl->events)
        return 0;
    p->out = out;
    p->tl = tl;
    p->rounds = rounds;
    p->deadline_ms = deadline_ms;
    if (pthread_create(&p->thread, NULL, progress_thread, p) != 0)
        return -1;
    p->running = true;
    return 0;
}

void progress_set_capacity(progress *p, long capacity)
{
    atomic_store(&p->capacity, capacity);
}

void progress_stop(progress *p, const char *final)
{
    if (!p->running)
        return;
    atomic_store(&p->stop, true);
    timeline_poke(p->tl);
    pthread_join(p->thread, NULL);
    p->running = false;
    if (final)
        draw(p, final, true);
    else {
        fputs("\r\033[K", p->out);
        fflush(p->out);
    }
}
