/* timeline.c: the bounded, thread-safe record of a run's events and pipe samples; see
 * timeline.h. */
#include "timeline.h"

#include <stdarg.h>
#include <stdatomic.h>
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
    if (pthread_cond_init(&tl->changed, NULL) != 0) {
        pthread_mutex_destroy(&tl->lock);
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
    pthread_cond_destroy(&tl->changed);
    pthread_mutex_destroy(&tl->lock);
    memset(tl, 0, sizeof *tl);
}

void timeline_set_origin(timeline *tl, int64_t origin_ms)
{
    if (!tl || !tl->events)
        return;
    atomic_store(&tl->origin_ms, origin_ms);
}

int64_t timeline_now(const timeline *tl)
{
    return clock_monotonic_ms() - atomic_load(&tl->origin_ms);
}

void timeline_event_blank(timeline_event *ev, timeline_kind kind)
{
    memset(ev, 0, sizeof *ev);
    ev->t_ms = -1;
    ev->start_ms = -1;
    ev->kind = kind;
    ev->route = -1;
}

void timeline_event_record(timeline *tl, const timeline_event *ev)
{
    if (!tl || !tl->events)
        return;
    timeline_event copy = *ev;
    if (copy.t_ms < 0)
        copy.t_ms = timeline_now(tl);
    pthread_mutex_lock(&tl->lock);
    if (tl->event_count < TIMELINE_MAX_EVENTS)
        tl->events[tl->event_count++] = copy;
    else
        tl->events_dropped++;
    tl->event_seq++;
    pthread_cond_broadcast(&tl->changed);
    pthread_mutex_unlock(&tl->lock);
}

void timeline_event_add(timeline *tl, timeline_kind kind, long value, const char *fmt, ...)
{
    if (!tl || !tl->events)
        return;
    timeline_event ev;
    timeline_event_blank(&ev, kind);
    ev.value = value;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ev.detail, sizeof ev.detail, fmt, ap);
        va_end(ap);
    }
    timeline_event_record(tl, &ev);
}

/* Keeps every second stored row (the first and the last kept), counting the others. */
static void thin_pipe_locked(timeline *tl)
{
    size_t kept = 0;
    for (size_t i = 0; i < tl->pipe_count; i++)
        if (i % 2 == 0 || i == tl->pipe_count - 1)
            tl->pipe[kept++] = tl->pipe[i];
    tl->pipe_dropped += tl->pipe_count - kept;
    tl->pipe_count = kept;
}

void timeline_pipe_add(timeline *tl, unsigned pipe, long pending, int has_room,
                       timeline_reader_state reader, unsigned long long reader_bytes)
{
    if (!tl || !tl->pipe)
        return;
    pipe_observation ob = {
        timeline_now(tl), (unsigned char)pipe, (signed char)has_room, (unsigned char)reader,
        pending,          reader_bytes};
    pthread_mutex_lock(&tl->lock);
    if (tl->pipe_count >= TIMELINE_MAX_PIPE)
        thin_pipe_locked(tl);
    tl->pipe[tl->pipe_count++] = ob;
    pthread_mutex_unlock(&tl->lock);
}

bool timeline_wait_event(timeline *tl, unsigned long *seq, long ms)
{
    if (!tl || !tl->events)
        return false;
    struct timespec at;
    clock_deadline_in(&at, ms);
    pthread_mutex_lock(&tl->lock);
    while (tl->event_seq == *seq)
        if (pthread_cond_timedwait(&tl->changed, &tl->lock, &at) != 0)
            break;
    bool came = tl->event_seq != *seq;
    *seq = tl->event_seq;
    pthread_mutex_unlock(&tl->lock);
    return came;
}

void timeline_poke(timeline *tl)
{
    if (!tl || !tl->events)
        return;
    pthread_mutex_lock(&tl->lock);
    tl->event_seq++;
    pthread_cond_broadcast(&tl->changed);
    pthread_mutex_unlock(&tl->lock);
}

static const char *const kind_names[TL_KIND_COUNT] = {
    [TL_SPAWNED] = "spawned",
    [TL_READY] = "ready",
    [TL_BASELINE] = "baseline",
    [TL_TRIGGER_SENT] = "trigger-sent",
    [TL_TRIGGER_DONE] = "trigger-done",
    [TL_FILL_STARTED] = "fill-started",
    [TL_FLOOD_STOPPED] = "flood-stopped",
    [TL_FAULT_REACHED] = "fault-reached",
    [TL_FAULT_NOT_REACHED] = "fault-not-reached",
    [TL_PROBE_ROUND] = "probe-round",
    [TL_PROBE_START] = "probe-start",
    [TL_PROBE_DONE] = "probe-done",
    [TL_EVIDENCE] = "evidence",
    [TL_VERDICT] = "verdict",
    [TL_DRAIN] = "drain",
    [TL_RECOVERY] = "recovery",
    [TL_ESCAPED] = "escaped",
    [TL_CHILD_ENDED] = "child-ended",
    [TL_WATCHDOG] = "watchdog",
};

const char *timeline_kind_name(timeline_kind kind)
{
    if ((unsigned)kind < TL_KIND_COUNT && kind_names[kind])
        return kind_names[kind];
    return "?";
}

timeline_kind timeline_kind_from_name(const char *name)
{
    for (int k = 0; name && k < TL_KIND_COUNT; k++)
        if (kind_names[k] && strcmp(kind_names[k], name) == 0)
            return (timeline_kind)k;
    return TL_KIND_COUNT;
}

const char *timeline_outcome_name(timeline_outcome outcome)
{
    switch (outcome) {
    case TL_OUTCOME_ANSWERED:
        return "answered";
    case TL_OUTCOME_TIMED_OUT:
        return "timed-out";
    case TL_OUTCOME_FAILED:
        return "failed";
    case TL_OUTCOME_NONE:
        break;
    }
    return NULL;
}

timeline_outcome timeline_outcome_from_name(const char *name)
{
    for (int o = TL_OUTCOME_ANSWERED; name && o <= TL_OUTCOME_FAILED; o++)
        if (strcmp(timeline_outcome_name((timeline_outcome)o), name) == 0)
            return (timeline_outcome)o;
    return TL_OUTCOME_NONE;
}

static const char *const reader_names[TL_READER_STATE_COUNT] = {
    [TL_READER_UNKNOWN] = "unknown", [TL_READER_NONE] = "none",
    [TL_READER_READING] = "reading", [TL_READER_STOPPED] = "stopped",
    [TL_READER_CLOSED] = "closed",   [TL_READER_DRAINING] = "draining",
};

const char *timeline_reader_name(timeline_reader_state state)
{
    return (unsigned)state < TL_READER_STATE_COUNT ? reader_names[state] : "unknown";
}

timeline_reader_state timeline_reader_from_name(const char *name)
{
    for (int s = 0; name && s < TL_READER_STATE_COUNT; s++)
        if (strcmp(reader_names[s], name) == 0)
            return (timeline_reader_state)s;
    return TL_READER_UNKNOWN;
}
