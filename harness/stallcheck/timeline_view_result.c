/* timeline_view_result.c: a view of a finished run from its stall_result; see
 * timeline_view_result.h. The JSON reader (timeline_view_json.c) makes the same calls from the
 * same facts as they appear in the report. */
#include "timeline_view_result.h"

#include <string.h>

int timeline_view_from_result(const stall_result *r, const char *label, timeline_view *v)
{
    if (timeline_view_init(v) != 0)
        return -1;
    const stall_options *o = r->options;
    size_t argc = 0;
    while (r->command && r->command[argc])
        argc++;
    timeline_view_set_command(v, label, (const char *const *)r->command, argc);
    timeline_view_set_outcome(v, r->verdict, r->cause, r->fault.summary,
                              r->verdict_ms >= 0 ? (long)r->time_to_verdict_ms : -1,
                              r->recovery_run ? (r->recovered ? 1 : 0) : -1);
    v->deadline_ms = o->deadline_ms;
    for (size_t i = 0; i < o->probe_count; i++) {
        char route[96];
        snprintf(route, sizeof route, "%s %s", o->probes[i].method, o->probes[i].path);
        timeline_view_add_route(v, route);
    }
    size_t pipe = r->main_pipe;
    if (r->pipe_count > pipe) {
        snprintf(v->pipe_name, sizeof v->pipe_name, "%s", r->pipes[pipe].name);
        v->capacity = r->pipes[pipe].capacity;
    }
    const timeline *tl = &r->timeline;
    for (size_t i = 0; i < tl->event_count; i++) {
        const timeline_event *e = &tl->events[i];
        tv_event ev = {e->kind,  e->t_ms,     e->start_ms, e->value,  e->route,
                       e->round, e->recovery, e->outcome,  e->status, e->detail};
        if (timeline_view_add_event(v, &ev) != 0)
            return -1;
    }
    for (size_t i = 0; i < tl->pipe_count; i++) {
        const pipe_observation *p = &tl->pipe[i];
        if (p->pipe != pipe)
            continue;
        if (timeline_view_add_sample(v, p->t_ms, p->pending, p->has_room,
                                     (timeline_reader_state)p->reader) != 0)
            return -1;
    }
    timeline_view_finish(v);
    return 0;
}
