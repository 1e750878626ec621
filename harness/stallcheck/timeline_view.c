/* timeline_view.c: building a view from timeline events and samples; see timeline_view.h.
 *
 * Probe bars open at probe-start and close at the matching probe-done (same route, round and
 * phase); trigger bars open at trigger-sent and close at the trigger-done whose start is
 * nearest. What is still open when the timeline ends (a probe cut short by the watchdog, a
 * trigger that never got an answer) is drawn to the end of the run with no outcome. */
#include "timeline_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Without a trigger number (older reports), a trigger-done's start (its end minus its latency)
 * and the trigger-sent it belongs to may be this far apart: the clock is read on two threads. */
#define TRIGGER_MATCH_MS 50

int timeline_view_init(timeline_view *v)
{
    memset(v, 0, sizeof *v);
    v->time_to_verdict_ms = -1;
    v->recovered = -1;
    v->first_trigger_ms = -1;
    v->last_trigger_ms = -1;
    snprintf(v->verdict, sizeof v->verdict, "unknown");
    return 0;
}

void timeline_view_free(timeline_view *v)
{
    free(v->samples);
    free(v->bars);
    memset(v, 0, sizeof *v);
}

void timeline_view_add_route(timeline_view *v, const char *route)
{
    if (v->route_count >= TV_MAX_ROUTES)
        return;
    snprintf(v->routes[v->route_count++], sizeof v->routes[0], "%s", route ? route : "?");
}

static void see_time(timeline_view *v, int64_t t_ms)
{
    if (t_ms > v->end_ms)
        v->end_ms = t_ms;
}

static tv_bar *new_bar(timeline_view *v)
{
    if (v->bar_count == v->bar_cap) {
        size_t cap = v->bar_cap ? v->bar_cap * 2 : 32;
        tv_bar *grown = realloc(v->bars, cap * sizeof *grown);
        if (!grown)
            return NULL;
        v->bars = grown;
        v->bar_cap = cap;
    }
    tv_bar *b = &v->bars[v->bar_count++];
    memset(b, 0, sizeof *b);
    b->end_ms = -1;
    return b;
}

static void add_marker(timeline_view *v, tv_marker_kind kind, int64_t t_ms, const char *label)
{
    if (v->marker_count >= TV_MAX_MARKERS)
        return;
    tv_marker *m = &v->markers[v->marker_count++];
    m->kind = kind;
    m->t_ms = t_ms;
    snprintf(m->label, sizeof m->label, "%s", label);
}

static tv_bar *open_probe(timeline_view *v, const tv_event *ev)
{
    for (size_t i = v->bar_count; i-- > 0;) {
        tv_bar *b = &v->bars[i];
        if (b->end_ms < 0 && b->lane == ev->route && b->round == ev->round &&
            b->recovery == ev->recovery)
            return b;
    }
    return NULL;
}

/* The open trigger bar of this number, else the one whose start is nearest (within
 * TRIGGER_MATCH_MS). */
static tv_bar *open_trigger(timeline_view *v, int number, int64_t start_ms)
{
    tv_bar *best = NULL;
    int64_t best_gap = TRIGGER_MATCH_MS + 1;
    for (size_t i = 0; i < v->bar_count; i++) {
        tv_bar *b = &v->bars[i];
        if (b->end_ms >= 0 || b->lane != TV_LANE_TRIGGER)
            continue;
        if (number > 0 && b->round == number)
            return b;
        int64_t gap = b->start_ms > start_ms ? b->start_ms - start_ms : start_ms - b->start_ms;
        if (number <= 0 && gap < best_gap) {
            best = b;
            best_gap = gap;
        }
    }
    return best;
}

static int add_probe_event(timeline_view *v, const tv_event *ev)
{
    if (ev->route < 0 || (size_t)ev->route >= v->route_count)
        return 0; /* a route the view has no lane for */
    tv_bar *b = open_probe(v, ev);
    if (ev->kind == TL_PROBE_START) {
        b = new_bar(v);
        if (!b)
            return -1;
        b->start_ms = ev->t_ms;
    } else if (!b) { /* a probe-done without its start: the start is in the event */
        b = new_bar(v);
        if (!b)
            return -1;
        b->start_ms = ev->start_ms >= 0 ? ev->start_ms : ev->t_ms - ev->value;
    }
    b->lane = ev->route;
    b->round = ev->round;
    b->recovery = ev->recovery;
    if (ev->kind == TL_PROBE_DONE) {
        b->end_ms = ev->t_ms;
        b->outcome = ev->outcome;
        b->latency_ms = ev->value;
        b->status = ev->status;
    }
    return 0;
}

static int add_trigger_event(timeline_view *v, const tv_event *ev)
{
    if (ev->kind == TL_TRIGGER_SENT) {
        v->triggers_sent++;
        if (v->first_trigger_ms < 0) {
            v->first_trigger_ms = ev->t_ms;
            add_marker(v, TV_MARK_TRIGGER, ev->t_ms, "trigger sent");
            if (ev->detail)
                snprintf(v->trigger, sizeof v->trigger, "%s", ev->detail);
        }
        v->last_trigger_ms = ev->t_ms;
        tv_bar *b = new_bar(v);
        if (!b)
            return -1;
        b->lane = TV_LANE_TRIGGER;
        b->start_ms = ev->t_ms;
        b->round = (int)ev->value;
        return 0;
    }
    v->triggers_done++;
    int64_t start = ev->start_ms >= 0 ? ev->start_ms : ev->t_ms;
    tv_bar *b = open_trigger(v, ev->round, start);
    if (!b) {
        b = new_bar(v);
        if (!b)
            return -1;
        b->lane = TV_LANE_TRIGGER;
        b->start_ms = start;
        b->round = ev->round;
    }
    b->end_ms = ev->t_ms;
    b->outcome = ev->outcome;
    b->latency_ms = (long)(ev->t_ms - start);
    b->status = ev->status;
    return 0;
}

int timeline_view_add_event(timeline_view *v, const tv_event *ev)
{
    see_time(v, ev->t_ms);
    char label[64];
    switch (ev->kind) {
    case TL_READY:
        add_marker(v, TV_MARK_READY, ev->t_ms, "ready");
        return 0;
    case TL_TRIGGER_SENT:
    case TL_TRIGGER_DONE:
        return add_trigger_event(v, ev);
    case TL_FAULT_REACHED:
        add_marker(v, TV_MARK_FAULT, ev->t_ms, "pipe full: fault in place");
        return 0;
    case TL_FAULT_NOT_REACHED:
        add_marker(v, TV_MARK_FAULT_NOT_REACHED, ev->t_ms, "fault NOT reached");
        return 0;
    case TL_PROBE_START:
    case TL_PROBE_DONE:
        return add_probe_event(v, ev);
    case TL_VERDICT:
        snprintf(label, sizeof label, "verdict: %s", ev->detail ? ev->detail : "?");
        add_marker(v, TV_MARK_VERDICT, ev->t_ms, label);
        return 0;
    case TL_DRAIN:
        add_marker(v, TV_MARK_DRAIN, ev->t_ms, "drain");
        return 0;
    case TL_RECOVERY:
        add_marker(v, ev->value ? TV_MARK_RECOVERED : TV_MARK_NOT_RECOVERED, ev->t_ms,
                   ev->value ? "recovered" : "NOT recovered");
        return 0;
    case TL_WATCHDOG:
        add_marker(v, TV_MARK_WATCHDOG, ev->t_ms, "watchdog");
        return 0;
    case TL_SPAWNED:
    case TL_BASELINE:
    case TL_FILL_STARTED:
    case TL_FLOOD_STOPPED:
    case TL_PROBE_ROUND:
    case TL_EVIDENCE:
    case TL_ESCAPED:
    case TL_CHILD_ENDED:
    case TL_KIND_COUNT:
        break;
    }
    return 0;
}

int timeline_view_add_sample(timeline_view *v, int64_t t_ms, long pending, int has_room,
                             timeline_reader_state reader)
{
    if (v->sample_count == v->sample_cap) {
        size_t cap = v->sample_cap ? v->sample_cap * 2 : 256;
        tv_sample *grown = realloc(v->samples, cap * sizeof *grown);
        if (!grown)
            return -1;
        v->samples = grown;
        v->sample_cap = cap;
    }
    tv_sample *s = &v->samples[v->sample_count++];
    s->t_ms = t_ms;
    s->pending = pending;
    s->has_room = (signed char)has_room;
    s->reader = (unsigned char)reader;
    see_time(v, t_ms);
    return 0;
}

void timeline_view_set_outcome(timeline_view *v, const char *verdict, const char *cause,
                               const char *fault, long time_to_verdict_ms, int recovered)
{
    snprintf(v->verdict, sizeof v->verdict, "%s", verdict ? verdict : "unknown");
    snprintf(v->cause, sizeof v->cause, "%s", cause ? cause : "");
    snprintf(v->fault, sizeof v->fault, "%s", fault ? fault : "");
    v->time_to_verdict_ms = time_to_verdict_ms;
    v->recovered = recovered;
}

void timeline_view_set_command(timeline_view *v, const char *label, const char *const *argv,
                               size_t argc)
{
    /* The program, and the one a wrapper runs after "--": never the other arguments, which
     * may hold keys and tokens, and the picture is made to be shown around. */
    const char *program = argc > 0 && argv[0] ? argv[0] : "server";
    const char *wrapped = NULL;
    for (size_t i = 1; i + 1 < argc; i++)
        if (argv[i] && strcmp(argv[i], "--") == 0) {
            wrapped = argv[i + 1];
            break;
        }
    size_t shown = wrapped ? 3 : 1;
    size_t rest = argc > shown ? argc - shown : 0;
    char more[48] = "";
    if (rest > 0)
        snprintf(more, sizeof more, " (+%zu argument%s)", rest, rest == 1 ? "" : "s");
    snprintf(v->command, sizeof v->command, "%.70s%s%.70s%s", program, wrapped ? " -- " : "",
             wrapped ? wrapped : "", more);
    if (label && *label) {
        snprintf(v->label, sizeof v->label, "%s", label);
        return;
    }
    const char *slash = strrchr(program, '/');
    snprintf(v->label, sizeof v->label, "%s", slash ? slash + 1 : program);
}

void timeline_view_finish(timeline_view *v)
{
    for (size_t i = 0; i < v->bar_count; i++) {
        tv_bar *b = &v->bars[i];
        see_time(v, b->start_ms);
        if (b->end_ms < 0) {
            b->end_ms = v->end_ms;
            b->outcome = TL_OUTCOME_NONE;
            b->latency_ms = (long)(b->end_ms - b->start_ms);
        }
    }
}
