/* timeline.c: the bounded, thread-safe record of a run's events; see timeline.h. */
#include "timeline.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"

int timeline_init(timeline *tl, int64_t origin_ms)
{
    memset(tl, 0, sizeof *tl);
    tl->origin_ms = origin_ms;
    tl->events = calloc(TIMELINE_MAX_EVENTS, sizeof *tl->events);
    tl->pipe = calloc(TIMELINE_MAX_PIPE, sizeof *tl->pipe);
    if (!tl->events || !tl->pipe || pthread_mutex_init(&tl->lock, NULL) != 0) {
        free(tl->events);
        free(tl->pipe);
        memset(tl, 0, sizeof *tl);
        return -1;
    }
    return 0;
}

void timeline_free(timeline *tl)
{
    if (!tl->events && !tl->pipe)
        return;
    free(tl->events);
    free(tl->pipe);
    pthread_mutex_destroy(&tl->lock);
    memset(tl, 0, sizeof *tl);
}

int64_t timeline_now(const timeline *tl)
{
    return clock_monotonic_ms() - tl->origin_ms;
}

void timeline_event_add(timeline *tl, timeline_kind kind, long value, const char *fmt, ...)
{
    if (!tl || !tl->events)
        return;
    timeline_event ev;
    memset(&ev, 0, sizeof ev);
    ev.t_ms = timeline_now(tl);
    ev.kind = kind;
    ev.value = value;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ev.detail, sizeof ev.detail, fmt, ap);
        va_end(ap);
    }
    pthread_mutex_lock(&tl->lock);
    if (tl->event_count < TIMELINE_MAX_EVENTS)
        tl->events[tl->event_count++] = ev;
    else
        tl->events_dropped++;
    pthread_mutex_unlock(&tl->lock);
}

void timeline_pipe_add(timeline *tl, unsigned pipe, long pending, int has_room)
{
    if (!tl || !tl->pipe)
        return;
    pipe_observation ob = { timeline_now(tl), (unsigned char)pipe, (signed char)has_room, pending };
    pthread_mutex_lock(&tl->lock);
    if (tl->pipe_count < TIMELINE_MAX_PIPE)
        tl->pipe[tl->pipe_count++] = ob;
    else
        tl->pipe_dropped++;
    pthread_mutex_unlock(&tl->lock);
}

const char *timeline_kind_name(timeline_kind kind)
{
    switch (kind) {
    case TL_SPAWNED: return "spawned";
    case TL_READY: return "ready";
    case TL_BASELINE: return "baseline";
    case TL_TRIGGER_SENT: return "trigger-sent";
    case TL_TRIGGER_DONE: return "trigger-done";
    case TL_FILL_STARTED: return "fill-started";
    case TL_FLOOD_STOPPED: return "flood-stopped";
    case TL_FAULT_REACHED: return "fault-reached";
    case TL_FAULT_NOT_REACHED: return "fault-not-reached";
    case TL_PROBE_ROUND: return "probe-round";
    case TL_PROBE_DONE: return "probe-done";
    case TL_EVIDENCE: return "evidence";
    case TL_VERDICT: return "verdict";
    case TL_DRAIN: return "drain";
    case TL_RECOVERY: return "recovery";
    case TL_ESCAPED: return "escaped";
    case TL_CHILD_ENDED: return "child-ended";
    case TL_WATCHDOG: return "watchdog";
    case TL_KIND_COUNT: break;
    }
    return "?";
}
