/* report_json.c: the machine-readable result (--json); see report.h.
 *
 * Contract fields (tests and CI gates depend on them): verdict, cause, pipe.capacity,
 * pipe.pending, probes[] (method, path, status, latency_ms, bytes, timed_out, round),
 * threads[] (tid, name, state, wchan, syscall), recovered, reader, trigger, child.pid,
 * child.exit, os, kernel, fault_reached, fault. Everything else is additional detail. Unknown
 * numbers are null. The timeline (events and pipe levels over time) is the run's own record. */
#include "report.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "version.h"

static void add_number_or_null(cJSON *obj, const char *name, long long value, bool known)
{
    if (known)
        cJSON_AddNumberToObject(obj, name, (double)value);
    else
        cJSON_AddNullToObject(obj, name);
}

static void add_string_or_null(cJSON *obj, const char *name, const char *value)
{
    if (value && *value)
        cJSON_AddStringToObject(obj, name, value);
    else
        cJSON_AddNullToObject(obj, name);
}

static cJSON *pipe_object(const pipe_figures *p)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", p->name);
    cJSON_AddNumberToObject(o, "capacity", (double)p->capacity);
    add_number_or_null(o, "pending", p->pending, p->pending >= 0);
    cJSON_AddBoolToObject(o, "full", p->full);
    if (p->has_room >= 0)
        cJSON_AddBoolToObject(o, "writable", p->has_room == 1);
    else
        cJSON_AddNullToObject(o, "writable");
    add_number_or_null(o, "requested", p->requested, p->requested > 0);
    add_string_or_null(o, "capacity_source", p->capacity_source);
    add_number_or_null(o, "scratch_capacity", p->scratch_capacity, p->scratch_capacity > 0);
    add_number_or_null(o, "pending_after_trigger", p->pending_after_trigger, p->pending_after_trigger >= 0);
    add_number_or_null(o, "pending_after_recovery", p->pending_after_recovery, p->pending_after_recovery >= 0);
    cJSON_AddNumberToObject(o, "inode", (double)p->inode);
    return o;
}

static cJSON *probe_object(const probe_result *p, const char *phase)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "round", p->round);
    cJSON_AddStringToObject(o, "phase", phase);
    cJSON_AddStringToObject(o, "method", p->method);
    cJSON_AddStringToObject(o, "path", p->path);
    add_number_or_null(o, "status", p->status, p->status > 0);
    cJSON_AddNumberToObject(o, "latency_ms", (double)p->latency_ms);
    cJSON_AddNumberToObject(o, "bytes", (double)p->bytes);
    cJSON_AddBoolToObject(o, "timed_out", p->timed_out);
    cJSON_AddBoolToObject(o, "near_deadline", p->near_deadline);
    add_string_or_null(o, "error", p->error);
    return o;
}

static cJSON *thread_object(const thread_evidence *t)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "pid", t->pid);
    cJSON_AddNumberToObject(o, "tid", t->tid);
    cJSON_AddStringToObject(o, "name", t->name);
    cJSON_AddStringToObject(o, "state", t->state);
    add_string_or_null(o, "wchan", t->wchan);
    cJSON_AddStringToObject(o, "syscall", t->syscall);
    add_number_or_null(o, "syscall_nr", t->syscall_nr, t->syscall_nr >= 0);
    add_number_or_null(o, "fd", t->fd, t->fd >= 0);
    add_string_or_null(o, "fd_target", t->fd_target);
    cJSON_AddBoolToObject(o, "on_log_pipe", t->on_log_pipe);
    if (t->wait_address) {
        char address[32];
        snprintf(address, sizeof address, "0x%llx", t->wait_address);
        cJSON_AddStringToObject(o, "wait_address", address);
    } else {
        cJSON_AddNullToObject(o, "wait_address");
    }
    cJSON_AddStringToObject(o, "role", thread_role_name(t->role));
    cJSON_AddNumberToObject(o, "samples", t->samples);
    return o;
}

static cJSON *reader_object(const stall_result *r)
{
    const stall_options *o = r->options;
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddStringToObject(obj, "mode", options_reader_name(o->reader));
    cJSON_AddStringToObject(obj, "spec", o->reader_spec);
    unsigned long long bytes = 0;
    for (size_t i = 0; i < r->pipe_count; i++)
        bytes += r->readers[i].bytes_read;
    /* what the mode itself read; the recovery drain's bytes are reported under recovery */
    cJSON_AddNumberToObject(obj, "bytes_read",
                            (double)(r->recovery_snapshot_taken ? r->reader_bytes_before_recovery : bytes));
    if (o->reader == READER_SCANNER) {
        const reader_snapshot *sn = &r->readers[0];
        for (size_t i = 0; i < r->pipe_count; i++)
            if (r->readers[i].scanner_stopped)
                sn = &r->readers[i];
        cJSON_AddNumberToObject(obj, "line_limit", (double)o->reader_arg);
        cJSON_AddBoolToObject(obj, "stopped", sn->scanner_stopped);
        cJSON_AddNumberToObject(obj, "lines", (double)sn->lines);
        /* the overlong line: at least line_limit bytes; its full length once drained past it */
        add_number_or_null(obj, "stop_line_bytes", (long long)sn->stop_line_bytes,
                           sn->scanner_stopped && sn->stop_line_complete);
        add_number_or_null(obj, "stop_line_bytes_read_by_scanner", (long long)o->reader_arg,
                           sn->scanner_stopped);
    }
    if (o->reader == READER_SLOW)
        cJSON_AddNumberToObject(obj, "bytes_per_sec", (double)o->reader_arg);
    return obj;
}

static cJSON *trigger_object(const stall_result *r)
{
    const trigger_figures *t = &r->trigger;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "enabled", t->enabled);
    if (!t->enabled)
        return o;
    add_string_or_null(o, "method", t->method);
    add_string_or_null(o, "path", t->path);
    cJSON_AddNumberToObject(o, "body_bytes", (double)t->body_bytes);
    cJSON_AddNumberToObject(o, "flood", (double)t->flood);
    cJSON_AddNumberToObject(o, "sent", (double)t->sent);
    cJSON_AddNumberToObject(o, "answered", (double)t->answered);
    cJSON_AddNumberToObject(o, "timed_out", (double)t->timed_out);
    add_number_or_null(o, "last_status", t->last_status, t->last_status > 0);
    cJSON_AddNumberToObject(o, "last_latency_ms", (double)t->last_latency_ms);
    cJSON_AddNumberToObject(o, "last_bytes", (double)t->last_bytes);
    add_string_or_null(o, "last_error", t->last_error);
    add_string_or_null(o, "flood_stopped_because", t->flood_stopped_because);
    cJSON *fill = cJSON_AddObjectToObject(o, "fill");
    cJSON_AddNumberToObject(fill, "sent", (double)t->fill.sent);
    cJSON_AddNumberToObject(fill, "answered", (double)t->fill.answered);
    cJSON_AddNumberToObject(fill, "timed_out", (double)t->fill.timed_out);
    cJSON_AddNumberToObject(fill, "failed", (double)t->fill.failed);
    cJSON_AddNumberToObject(o, "unanswered", (double)t->unanswered);
    add_string_or_null(o, "probing_started_because", t->probing_started_because);
    cJSON_AddNumberToObject(o, "wait_ms", (double)t->wait_ms);
    return o;
}

static cJSON *fault_object(const stall_result *r)
{
    const fault_figures *f = &r->fault;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "state", fault_state_name(f->state));
    cJSON_AddBoolToObject(o, "reached", f->reached);
    add_string_or_null(o, "summary", f->summary);
    add_string_or_null(o, "detail", f->detail);
    cJSON_AddNumberToObject(o, "fill_ms", (double)f->fill_ms);
    cJSON_AddNumberToObject(o, "established_ms", (double)f->established_ms);
    cJSON *at = cJSON_AddObjectToObject(o, "at_probe_start");
    add_string_or_null(at, "pipe", r->pipe_count > f->pipe ? r->pipes[f->pipe].name : NULL);
    add_number_or_null(at, "pending", f->pending, f->pending >= 0);
    cJSON_AddNumberToObject(at, "capacity", (double)f->capacity);
    if (f->has_room >= 0)
        cJSON_AddBoolToObject(at, "writable", f->has_room == 1);
    else
        cJSON_AddNullToObject(at, "writable");
    cJSON_AddBoolToObject(at, "full", f->full);
    add_string_or_null(at, "reader", f->reader);
    cJSON_AddBoolToObject(at, "reader_stopped", f->reader_stopped);
    return o;
}

static cJSON *event_object(const timeline_event *e)
{
    cJSON *item = cJSON_CreateObject();
    cJSON_AddNumberToObject(item, "t_ms", (double)e->t_ms);
    cJSON_AddStringToObject(item, "event", timeline_kind_name(e->kind));
    cJSON_AddNumberToObject(item, "value", (double)e->value);
    add_string_or_null(item, "detail", e->detail);
    if (e->start_ms >= 0)
        cJSON_AddNumberToObject(item, "start_ms", (double)e->start_ms);
    if (e->kind == TL_PROBE_START || e->kind == TL_PROBE_DONE) {
        cJSON_AddNumberToObject(item, "route", e->route);
        cJSON_AddNumberToObject(item, "round", e->round);
        cJSON_AddStringToObject(item, "phase", e->recovery ? "recovery" : "probe");
    }
    if (e->kind == TL_TRIGGER_DONE)
        cJSON_AddNumberToObject(item, "number", e->round); /* the trigger-sent's value */
    if (e->outcome != TL_OUTCOME_NONE) {
        cJSON_AddStringToObject(item, "outcome", timeline_outcome_name(e->outcome));
        add_number_or_null(item, "status", e->status, e->status > 0);
    }
    return item;
}

/* The run's own record (timeline.h): t_ms from the child's spawn. Version 2 adds the routes,
 * the pipes' capacities, probe-start/probe-done intervals with their route and outcome, and
 * the reader's state in every pipe row; version 1 readers find every field they knew. */
static cJSON *timeline_object(const stall_result *r)
{
    const timeline *tl = &r->timeline;
    const stall_options *opt = r->options;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "version", 2);
    cJSON_AddStringToObject(o, "origin", "the child's spawn");
    cJSON_AddNumberToObject(o, "trigger_start_ms", (double)r->trigger_start_ms);
    add_number_or_null(o, "verdict_ms", r->verdict_ms, r->verdict_ms >= 0);
    cJSON_AddNumberToObject(o, "deadline_ms", (double)opt->deadline_ms);
    cJSON *routes = cJSON_AddArrayToObject(o, "routes");
    for (size_t i = 0; i < opt->probe_count; i++) {
        char route[512];
        snprintf(route, sizeof route, "%s %s", opt->probes[i].method, opt->probes[i].path);
        cJSON_AddItemToArray(routes, cJSON_CreateString(route));
    }
    cJSON *pipes = cJSON_AddArrayToObject(o, "pipes");
    for (size_t i = 0; i < r->pipe_count; i++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "index", (double)i);
        cJSON_AddStringToObject(p, "name", r->pipes[i].name);
        cJSON_AddNumberToObject(p, "capacity", (double)r->pipes[i].capacity);
        cJSON_AddItemToArray(pipes, p);
    }
    cJSON *events = cJSON_AddArrayToObject(o, "events");
    for (size_t i = 0; i < tl->event_count; i++)
        cJSON_AddItemToArray(events, event_object(&tl->events[i]));
    cJSON_AddNumberToObject(o, "events_dropped", (double)tl->events_dropped);
    cJSON *pipe = cJSON_AddObjectToObject(o, "pipe");
    cJSON *columns = cJSON_AddArrayToObject(pipe, "columns");
    static const char *const names[] = {"t_ms",    "pipe",   "pending",
                                        "writable", "reader", "reader_bytes"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        cJSON_AddItemToArray(columns, cJSON_CreateString(names[i]));
    cJSON *rows = cJSON_AddArrayToObject(pipe, "rows");
    for (size_t i = 0; i < tl->pipe_count; i++) {
        const pipe_observation *p = &tl->pipe[i];
        cJSON *row = cJSON_CreateArray();
        cJSON_AddItemToArray(row, cJSON_CreateNumber((double)p->t_ms));
        cJSON_AddItemToArray(row, cJSON_CreateNumber(p->pipe));
        cJSON_AddItemToArray(row, p->pending >= 0 ? cJSON_CreateNumber((double)p->pending) : cJSON_CreateNull());
        cJSON_AddItemToArray(row, p->has_room >= 0 ? cJSON_CreateBool(p->has_room == 1) : cJSON_CreateNull());
        cJSON_AddItemToArray(row, cJSON_CreateString(timeline_reader_name((timeline_reader_state)p->reader)));
        cJSON_AddItemToArray(row, cJSON_CreateNumber((double)p->reader_bytes));
        cJSON_AddItemToArray(rows, row);
    }
    cJSON_AddNumberToObject(pipe, "dropped", (double)tl->pipe_dropped);
    cJSON *sampler = cJSON_AddObjectToObject(o, "sampler");
    cJSON_AddNumberToObject(sampler, "interval_ms", (double)r->sample_interval_ms);
    cJSON_AddNumberToObject(sampler, "samples", (double)r->samples);
    add_number_or_null(sampler, "cpu_us", r->sampler_cpu_us, r->sampler_cpu_us >= 0);
    return o;
}

static cJSON *child_object(const stall_result *r)
{
    cJSON *o = cJSON_CreateObject();
    add_number_or_null(o, "pid", r->child_pid, r->child_pid > 0);
    cJSON_AddStringToObject(o, "exit", r->child_exit);
    add_number_or_null(o, "exit_code", r->child_exit_code, r->child_exit_code >= 0);
    add_number_or_null(o, "exit_signal", r->child_exit_signal, r->child_exit_signal >= 0);
    cJSON_AddBoolToObject(o, "sigterm_ignored", r->child_term_ignored);
    cJSON_AddBoolToObject(o, "died_during_run", r->child_died_during_run);
    cJSON_AddNumberToObject(o, "orphans_reaped", r->orphans_reaped);
    cJSON_AddBoolToObject(o, "subreaper", r->subreaper);
    cJSON *escaped = cJSON_AddArrayToObject(o, "escaped");
    for (int i = 0; i < r->escaped_count; i++) {
        const escaped_process *e = &r->escaped[i];
        cJSON *item = cJSON_CreateObject();
        cJSON_AddNumberToObject(item, "pid", e->pid);
        cJSON_AddNumberToObject(item, "ppid", e->ppid);
        cJSON_AddNumberToObject(item, "pgid", e->pgid);
        cJSON_AddNumberToObject(item, "sid", e->sid);
        cJSON_AddStringToObject(item, "name", e->name);
        cJSON_AddBoolToObject(item, "own_session", e->own_session);
        cJSON_AddBoolToObject(item, "killed", e->killed);
        cJSON_AddItemToArray(escaped, item);
    }
    cJSON_AddNumberToObject(o, "escaped_seen", r->escaped_seen);
    cJSON_AddBoolToObject(o, "descendant_scan", !r->tree_unsupported);
    cJSON *cmd = cJSON_AddArrayToObject(o, "command");
    for (char **p = r->command; p && *p; p++)
        cJSON_AddItemToArray(cmd, cJSON_CreateString(*p));
    add_string_or_null(o, "output_tail", r->output_tail);
    return o;
}

static cJSON *config_object(const stall_result *r)
{
    const stall_options *o = r->options;
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "host", o->host);
    add_number_or_null(c, "port", r->port, r->port > 0);
    cJSON_AddStringToObject(c, "ready", o->ready_path);
    cJSON_AddNumberToObject(c, "startup_ms", (double)o->startup_ms);
    cJSON_AddNumberToObject(c, "pipe_size", (double)o->pipe_size);
    cJSON_AddBoolToObject(c, "separate_pipes", o->separate_pipes);
    cJSON_AddNumberToObject(c, "rounds", (double)o->rounds);
    cJSON_AddNumberToObject(c, "deadline_ms", (double)o->deadline_ms);
    cJSON_AddNumberToObject(c, "trigger_timeout_ms", (double)o->trigger_timeout_ms);
    cJSON_AddNumberToObject(c, "kill_grace_ms", (double)o->kill_grace_ms);
    cJSON_AddNumberToObject(c, "timeout_s", (double)o->timeout_s);
    cJSON_AddNumberToObject(c, "settle_ms", (double)o->settle_ms);
    cJSON_AddNumberToObject(c, "fill_ms", (double)o->fill_ms);
    cJSON_AddNumberToObject(c, "flood", (double)o->flood);
    return c;
}

static const char *expect_name(expectation e)
{
    switch (e) {
    case EXPECT_RESPONSIVE: return "responsive";
    case EXPECT_STALLED: return "stalled";
    case EXPECT_NONE: break;
    }
    return NULL;
}

char *report_json_text(const stall_result *r)
{
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return NULL;
    cJSON_AddStringToObject(root, "stallcheck_version", STALLCHECK_VERSION);
    cJSON_AddStringToObject(root, "verdict", r->verdict);
    add_string_or_null(root, "verdict_basis", r->verdict_basis);
    cJSON_AddBoolToObject(root, "fault_reached", r->fault.reached);
    add_string_or_null(root, "cause", r->cause);
    add_string_or_null(root, "cause_detail", r->cause_detail);
    add_string_or_null(root, "error", r->error);
    add_string_or_null(root, "expect", expect_name(r->options->expect));
    cJSON_AddBoolToObject(root, "expect_met", r->expect_met);
    cJSON_AddNumberToObject(root, "exit_code", r->exit_code);
    cJSON_AddStringToObject(root, "os", r->os);
    add_string_or_null(root, "platform", r->flavor); /* "native" or "portable" build */
    cJSON_AddStringToObject(root, "kernel", r->kernel);
    cJSON_AddStringToObject(root, "arch", r->arch);
    cJSON_AddNumberToObject(root, "duration_ms", (double)r->duration_ms);
    cJSON_AddNumberToObject(root, "near_deadline", (double)r->near_deadline);
    /* from the trigger's start (the end of readiness) to the verdict: fault building + probing */
    add_number_or_null(root, "time_to_verdict_ms", r->time_to_verdict_ms, r->verdict_ms >= 0);
    cJSON *timing = cJSON_AddObjectToObject(root, "timing");
    cJSON_AddNumberToObject(timing, "ready_ms", (double)r->ready_ms);
    cJSON_AddNumberToObject(timing, "fault_ms", (double)r->fault.established_ms);
    add_number_or_null(timing, "probing_to_verdict_ms", r->time_to_verdict_ms - r->fault.established_ms,
                       r->verdict_ms >= 0);
    cJSON_AddNumberToObject(timing, "rounds_run", (double)r->rounds_run);
    cJSON_AddNumberToObject(timing, "rounds_skipped", (double)r->rounds_skipped);
    /* stallcheck's own CPU over the whole run, every thread (the child's is not counted) */
    cJSON *cpu = cJSON_AddObjectToObject(root, "stallcheck_cpu");
    add_number_or_null(cpu, "user_us", r->self_cpu_user_us, r->self_cpu_user_us >= 0);
    add_number_or_null(cpu, "sys_us", r->self_cpu_sys_us, r->self_cpu_sys_us >= 0);
    cJSON_AddItemToObject(root, "config", config_object(r));
    cJSON_AddItemToObject(root, "fault", fault_object(r));

    if (r->pipe_count > 0) {
        cJSON_AddItemToObject(root, "pipe", pipe_object(&r->pipes[r->main_pipe]));
    } else {
        cJSON *p = cJSON_AddObjectToObject(root, "pipe");
        cJSON_AddNullToObject(p, "capacity");
        cJSON_AddNullToObject(p, "pending");
    }
    cJSON *pipes = cJSON_AddArrayToObject(root, "pipes");
    for (size_t i = 0; i < r->pipe_count; i++)
        cJSON_AddItemToArray(pipes, pipe_object(&r->pipes[i]));

    cJSON_AddItemToObject(root, "reader", reader_object(r));
    cJSON_AddItemToObject(root, "trigger", trigger_object(r));

    cJSON *probes = cJSON_AddArrayToObject(root, "probes");
    for (size_t i = 0; i < r->probe_count; i++)
        cJSON_AddItemToArray(probes, probe_object(&r->probes[i], "probe"));

    cJSON *collected = cJSON_AddArrayToObject(root, "collected");
    for (size_t i = 0; i < r->collected_count; i++) {
        const collected_item *c = &r->collected[i];
        cJSON *item = cJSON_CreateObject();
        cJSON_AddStringToObject(item, "method", c->method);
        cJSON_AddStringToObject(item, "path", c->path);
        if (c->status)
            cJSON_AddNumberToObject(item, "status", (double)c->status);
        else
            cJSON_AddNullToObject(item, "status");
        cJSON_AddBoolToObject(item, "timed_out", c->timed_out);
        cJSON_AddNumberToObject(item, "latency_ms", (double)c->latency_ms);
        cJSON_AddStringToObject(item, "body", c->body ? c->body : "");
        cJSON_AddItemToArray(collected, item);
    }

    cJSON *threads = cJSON_AddArrayToObject(root, "threads");
    for (size_t i = 0; i < r->threads.count; i++)
        cJSON_AddItemToArray(threads, thread_object(&r->threads.threads[i]));
    cJSON *ev = cJSON_AddObjectToObject(root, "evidence");
    add_string_or_null(ev, "source", r->threads.source);
    cJSON_AddNumberToObject(ev, "samples", r->threads.samples_taken);
    cJSON_AddNumberToObject(ev, "processes", r->threads.processes);
    cJSON_AddNumberToObject(ev, "log_pipe_writers", (double)r->threads.log_writers);
    cJSON_AddNumberToObject(ev, "lock_waiters", (double)r->threads.lock_waiters);
    cJSON_AddNumberToObject(ev, "idle", (double)r->threads.idle);
    cJSON_AddNumberToObject(ev, "other_writers", (double)r->threads.other_writers);
    cJSON *convoy = cJSON_AddObjectToObject(ev, "convoy");
    cJSON_AddNumberToObject(convoy, "threads", (double)r->threads.convoy_threads);
    if (r->threads.convoy_address_known) {
        char address[32];
        snprintf(address, sizeof address, "0x%llx", r->threads.convoy_address);
        cJSON_AddStringToObject(convoy, "address", address);
        cJSON_AddNumberToObject(convoy, "pid", r->threads.convoy_pid);
    } else {
        cJSON_AddNullToObject(convoy, "address");
        cJSON_AddNullToObject(convoy, "pid");
    }
    cJSON_AddBoolToObject(ev, "baseline", r->threads.baseline_applied);
    cJSON_AddNumberToObject(ev, "baseline_threads", (double)r->baseline.count);
    add_string_or_null(ev, "shape", r->shape);
    add_string_or_null(ev, "waits", r->waits);
    add_string_or_null(ev, "note", r->threads.note);

    if (r->recovery_run)
        cJSON_AddBoolToObject(root, "recovered", r->recovered);
    else
        cJSON_AddNullToObject(root, "recovered");
    cJSON *recovery = cJSON_AddObjectToObject(root, "recovery");
    cJSON_AddBoolToObject(recovery, "run", r->recovery_run);
    if (r->recovery_snapshot_taken) {
        unsigned long long total = 0;
        for (size_t i = 0; i < r->pipe_count; i++)
            total += r->readers[i].bytes_read;
        cJSON_AddNumberToObject(recovery, "drained_bytes", (double)(total - r->reader_bytes_before_recovery));
    }
    cJSON *rprobes = cJSON_AddArrayToObject(recovery, "probes");
    for (size_t i = 0; i < r->recovery_count; i++)
        cJSON_AddItemToArray(rprobes, probe_object(&r->recovery_probes[i], "recovery"));

    cJSON_AddItemToObject(root, "child", child_object(r));
    cJSON_AddItemToObject(root, "timeline", timeline_object(r));

    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}

int report_write_json(const char *path, const stall_result *r)
{
    char *text = report_json_text(r);
    if (!text)
        return -1;
    size_t tmp_len = strlen(path) + 32;
    char *tmp = malloc(tmp_len);
    if (!tmp) {
        free(text);
        return -1;
    }
    snprintf(tmp, tmp_len, "%s.tmp.%ld", path, (long)getpid());
    int rc = -1;
    FILE *f = fopen(tmp, "w");
    if (f) {
        bool ok = fputs(text, f) >= 0 && fputc('\n', f) != EOF;
        ok = (fclose(f) == 0) && ok;
        if (ok && rename(tmp, path) == 0)
            rc = 0;
        else
            unlink(tmp);
    }
    free(tmp);
    free(text);
    return rc;
}
