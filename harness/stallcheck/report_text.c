/* report_text.c: the human-readable report and the --quiet summary line; see report.h. */
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cause.h"
#include "version.h"

typedef struct palette {
    const char *bold, *red, *green, *yellow, *dim, *reset;
} palette;

static palette make_palette(bool colour)
{
    palette p = { "", "", "", "", "", "" };
    if (colour) {
        p.bold = "\033[1m";
        p.red = "\033[31m";
        p.green = "\033[32m";
        p.yellow = "\033[33m";
        p.dim = "\033[2m";
        p.reset = "\033[0m";
    }
    return p;
}

bool report_use_colour(FILE *out)
{
    const char *no_colour = getenv("NO_COLOR");
    if (no_colour && *no_colour)
        return false;
    return isatty(fileno(out));
}

static const char *verdict_colour(const palette *p, const char *verdict)
{
    if (strcmp(verdict, VERDICT_RESPONSIVE) == 0)
        return p->green;
    if (strcmp(verdict, VERDICT_INCONCLUSIVE) == 0)
        return p->yellow;
    return p->red;
}

static void print_pending(FILE *out, long pending)
{
    if (pending < 0)
        fprintf(out, "unknown (read end closed)");
    else
        fprintf(out, "%ld", pending);
}

static void print_pipes(FILE *out, const stall_result *r, const palette *p)
{
    for (size_t i = 0; i < r->pipe_count; i++) {
        const pipe_figures *f = &r->pipes[i];
        fprintf(out, "%-10s%s: capacity %ld bytes (%s", i == 0 ? "pipe" : "", f->name, f->capacity,
                f->capacity_source ? f->capacity_source : "?");
        if (f->requested > 0)
            fprintf(out, ", asked for %ld", f->requested);
        if (f->scratch_capacity > 0 && f->scratch_capacity != f->capacity)
            fprintf(out, ", a scratch pipe held %ld", f->scratch_capacity);
        fprintf(out, "), pending ");
        print_pending(out, f->pending);
        if (f->full)
            fprintf(out, " %sFULL%s", p->red, p->reset);
        if (f->has_room == 0)
            fprintf(out, " (no free buffer slot: a write needing a new page blocks)");
        fprintf(out, "\n");
    }
}

static void print_reader(FILE *out, const stall_result *r)
{
    const stall_options *o = r->options;
    unsigned long long bytes = 0;
    for (size_t i = 0; i < r->pipe_count; i++)
        bytes += r->readers[i].bytes_read;
    if (r->recovery_snapshot_taken)
        bytes = r->reader_bytes_before_recovery;
    fprintf(out, "%-10s%s, %llu bytes read before the recovery check", "reader", o->reader_spec, bytes);
    for (size_t i = 0; i < r->pipe_count; i++) {
        const reader_snapshot *s = &r->readers[i];
        if (!s->scanner_stopped)
            continue;
        fprintf(out, "; stopped reading at a line longer than %ld bytes", o->reader_arg);
        if (s->stop_line_complete)
            fprintf(out, " (that line was %llu bytes)", s->stop_line_bytes);
    }
    if (o->reader == READER_CLOSE)
        fprintf(out, "; read end closed at start");
    fprintf(out, "\n");
}

static void print_trigger(FILE *out, const stall_result *r)
{
    const trigger_figures *t = &r->trigger;
    if (!t->enabled) {
        fprintf(out, "%-10s%s\n", "trigger",
                r->options->trigger_enabled ? "not sent (the run ended before)" : "none");
        return;
    }
    fprintf(out, "%-10s%s %s, %zu-byte body, %ld sent", "trigger", t->method, t->path, t->body_bytes,
            t->sent);
    if (t->sent > 0) {
        if (t->timed_out > 0)
            fprintf(out, ", %ld without a complete answer within %ld ms", t->timed_out,
                    r->options->trigger_timeout_ms);
        if (t->answered > 0)
            fprintf(out, ", last status %ld", t->last_status);
        if (t->last_error[0] && t->timed_out == 0)
            fprintf(out, ", %s", t->last_error);
    }
    if (t->flood_stopped_because)
        fprintf(out, "; flood stopped: %s", t->flood_stopped_because);
    if (t->fill.sent > 0)
        fprintf(out, "; %ld small fill request(s) (%ld answered, %ld without an answer)", t->fill.sent,
                t->fill.answered, t->fill.timed_out);
    if (t->probing_started_because)
        fprintf(out, "; probing started after %lld ms (%s)", (long long)t->wait_ms,
                t->probing_started_because);
    fprintf(out, "\n");
}

static void print_fault(FILE *out, const stall_result *r, const palette *p)
{
    const fault_figures *f = &r->fault;
    if (!f->summary[0])
        return;
    fprintf(out, "%-10s%s%s%s: %s\n", "fault", f->reached ? p->green : p->yellow,
            f->reached ? "reached" : "NOT reached", p->reset, f->detail);
}

static void print_probe_row(FILE *out, const probe_result *pr, const palette *p)
{
    char status[24];
    if (pr->status > 0)
        snprintf(status, sizeof status, "%ld", pr->status);
    else
        snprintf(status, sizeof status, "-");
    const char *result;
    const char *colour;
    if (pr->timed_out) {
        result = "TIMEOUT";
        colour = p->red;
    } else if (pr->answered && pr->near_deadline) {
        result = "ok, NEAR THE DEADLINE";
        colour = p->yellow;
    } else if (pr->answered) {
        result = "ok";
        colour = p->green;
    } else {
        result = "FAILED";
        colour = p->red;
    }
    fprintf(out, "  %-6d %-7s %-32s %6s %9llu %7lld ms  %s%s%s", pr->round, pr->method, pr->path,
            status, pr->bytes, (long long)pr->latency_ms, colour, result, p->reset);
    if (!pr->answered && !pr->timed_out && pr->error[0])
        fprintf(out, " (%s)", pr->error);
    fprintf(out, "\n");
}

static void print_probes(FILE *out, const stall_result *r, const palette *p)
{
    if (r->probe_count == 0)
        return;
    fprintf(out, "\n%sprobes%s    %ld round(s), %zu concurrent probe(s) each, deadline %ld ms", p->bold, p->reset,
            r->rounds_run, r->options->probe_count, r->options->deadline_ms);
    if (r->rounds_skipped > 0)
        fprintf(out, " (%ld more not run: the verdict was known; the recovery check confirms it)", r->rounds_skipped);
    fprintf(out, "\n");
    fprintf(out, "  %-6s %-7s %-32s %6s %9s %10s  %s\n", "round", "method", "path", "status", "bytes",
            "latency", "result");
    for (size_t i = 0; i < r->probe_count; i++)
        print_probe_row(out, &r->probes[i], p);
    if (r->near_deadline > 0)
        fprintf(out, "  %swarning: %zu probe(s) answered after more than %d%% of the %ld ms deadline: the "
                     "margin is thin, a busier machine may see a stall%s\n",
                p->yellow, r->near_deadline, PROBE_NEAR_DEADLINE_PERCENT, r->options->deadline_ms, p->reset);
}

static void print_threads(FILE *out, const stall_result *r, const palette *p)
{
    const evidence *ev = &r->threads;
    if (!ev->source)
        return;
    fprintf(out, "\n%sthreads%s   source %s, %d sample(s), %d process(es), %zu thread(s): %zu blocked "
                 "writing the log pipe, %zu in new lock waits, %zu idle%s\n",
            p->bold, p->reset, ev->source, ev->samples_taken, ev->processes, ev->count,
            ev->log_writers, ev->lock_waiters, ev->idle,
            ev->baseline_applied ? " (compared with the snapshot before the trigger)" : "");
    if (r->shape[0])
        fprintf(out, "  shape: %s\n", r->shape);
    if (ev->note[0])
        fprintf(out, "  %snote: %s%s\n", p->dim, ev->note, p->reset);
    if (ev->count == 0)
        return;
    fprintf(out, "  %-8s %-8s %-16s %-5s %-24s %-40s %s\n", "pid", "tid", "name", "state", "wchan",
            "syscall", "role");
    for (size_t i = 0; i < ev->count; i++) {
        const thread_evidence *t = &ev->threads[i];
        const char *colour = t->role == ROLE_LOG_WRITER ? p->red
                             : t->role == ROLE_LOCK_WAITER ? p->yellow
                             : t->role == ROLE_IDLE        ? p->dim
                                                           : "";
        fprintf(out, "  %-8d %-8d %-16.16s %-5s %-24.24s %-40s %s%s%s", t->pid, t->tid, t->name, t->state,
                t->wchan[0] ? t->wchan : "-", t->syscall, colour, thread_role_name(t->role),
                colour[0] ? p->reset : "");
        if (t->fd_target[0])
            fprintf(out, "  fd %ld -> %s%s", t->fd, t->fd_target, t->on_log_pipe ? " (the log pipe)" : "");
        fprintf(out, "\n");
    }
}

static void print_collected(FILE *out, const stall_result *r)
{
    for (size_t i = 0; i < r->collected_count; i++) {
        const collected_item *c = &r->collected[i];
        if (c->status)
            fprintf(out, "%-10s%s %s: %ld, %zu body bytes in %lld ms (kept in the JSON report)\n",
                    "collected", c->method, c->path, c->status, c->body ? strlen(c->body) : 0,
                    (long long)c->latency_ms);
        else
            fprintf(out, "%-10s%s %s: no answer%s\n", "collected", c->method, c->path,
                    c->timed_out ? " within the deadline" : "");
    }
}

static void print_recovery(FILE *out, const stall_result *r, const palette *p)
{
    if (!r->recovery_run)
        return;
    size_t answered = probes_count_answered(r->recovery_probes, r->recovery_count);
    int64_t slowest = 0;
    for (size_t i = 0; i < r->recovery_count; i++)
        if (r->recovery_probes[i].latency_ms > slowest)
            slowest = r->recovery_probes[i].latency_ms;
    unsigned long long total = 0;
    for (size_t i = 0; i < r->pipe_count; i++)
        total += r->readers[i].bytes_read;
    fprintf(out, "%-10sdrained the pipe (%llu bytes) and probed again: %s%s%s (%zu/%zu answered, slowest %lld ms",
            "recovery", total - r->reader_bytes_before_recovery, r->recovered ? p->green : p->red,
            r->recovered ? "recovered" : "NOT recovered", p->reset, answered, r->recovery_count,
            (long long)slowest);
    if (r->pipe_count > 0 && r->pipes[r->main_pipe].pending_after_recovery >= 0)
        fprintf(out, ", pipe then held %ld bytes", r->pipes[r->main_pipe].pending_after_recovery);
    fprintf(out, ")\n");
}

void report_write_text(FILE *out, const stall_result *r, bool colour)
{
    palette p = make_palette(colour);
    const stall_options *o = r->options;
    fprintf(out, "%sstallcheck %s%s  %s %s %s, %s build\n\n", p.bold, STALLCHECK_VERSION, p.reset, r->os,
            r->kernel, r->arch, r->flavor ? r->flavor : "?");
    fprintf(out, "%-10s", "command");
    if (r->command) {
        for (char **c = r->command; *c; c++)
            fprintf(out, "%s%s", c == r->command ? "" : " ", *c);
    } else {
        for (int i = 0; i < o->command_count; i++)
            fprintf(out, "%s%s", i ? " " : "", o->command[i]);
    }
    fprintf(out, "\n");
    if (r->base_url[0]) {
        fprintf(out, "%-10s%s", "server", r->base_url);
        if (r->ready_attempts > 0)
            fprintf(out, ", ready check GET %s: %ld attempt(s), %lld ms", o->ready_path,
                    r->ready_attempts, (long long)r->ready_ms);
        fprintf(out, "\n");
    }
    print_pipes(out, r, &p);
    print_reader(out, r);
    print_trigger(out, r);
    print_fault(out, r, &p);
    print_probes(out, r, &p);
    print_threads(out, r, &p);
    fprintf(out, "\n");
    if (r->cause)
        fprintf(out, "%-10s%s%s%s: %s\n", "cause",
                strcmp(r->cause, CAUSE_NONE) == 0 ? p.green : p.yellow, r->cause, p.reset,
                r->cause_detail);
    print_collected(out, r);
    print_recovery(out, r, &p);
    fprintf(out, "%-10spid %d, %s%s", "child", r->child_pid, r->child_exit,
            r->child_term_ignored ? " (ignored SIGTERM: killed after the grace period)" : "");
    if (r->orphans_reaped > 0)
        fprintf(out, "; %d orphaned descendant(s) reaped", r->orphans_reaped);
    fprintf(out, "\n");
    for (int i = 0; i < r->escaped_count; i++) {
        const escaped_process *e = &r->escaped[i];
        fprintf(out, "%-10s%sescaped the process group%s: pid %d %s (parent %d, group %d, session %d%s): %s\n", "",
                p.yellow, p.reset, e->pid, e->name, e->ppid, e->pgid, e->sid,
                e->own_session ? ", a session of its own" : "", e->killed ? "killed" : "NOT confirmed gone");
    }
    if (r->escaped_seen > r->escaped_count)
        fprintf(out, "%-10s(%d more escaped descendant(s) not listed)\n", "", r->escaped_seen - r->escaped_count);
    if (r->error[0])
        fprintf(out, "%serror%s     %s\n", p.red, p.reset, r->error);
    if (r->output_tail[0])
        fprintf(out, "%-10s\n%s%s%s\n", "output (tail)", p.dim, r->output_tail, p.reset);

    fprintf(out, "\n%sverdict%s   %s%s%s%s", p.bold, p.reset, verdict_colour(&p, r->verdict), p.bold,
            r->verdict, p.reset);
    if (o->expect != EXPECT_NONE && strcmp(r->verdict, VERDICT_ERROR) != 0)
        fprintf(out, " (expected %s: %s)", o->expect == EXPECT_STALLED ? "stalled" : "responsive",
                r->expect_met ? "met" : "NOT met");
    fprintf(out, ", exit status %d\n", r->exit_code);
    if (r->verdict_basis[0] && strcmp(r->verdict, VERDICT_ERROR) != 0)
        fprintf(out, "%-10s%s\n", "", r->verdict_basis);
    if (r->verdict_ms >= 0)
        fprintf(out, "%-10sknown %lld ms after the trigger (fault %lld ms, probing %lld ms)\n", "",
                (long long)r->time_to_verdict_ms, (long long)r->fault.established_ms,
                (long long)(r->time_to_verdict_ms - r->fault.established_ms));
    if (strcmp(r->verdict, VERDICT_INCONCLUSIVE) == 0)
        fprintf(out, "%-10s%sinconclusive is not a pass: CI must treat it (exit status 3) as a failure%s\n", "",
                p.yellow, p.reset);
}

void report_write_summary(FILE *out, const stall_result *r, bool colour)
{
    palette p = make_palette(colour);
    fprintf(out, "stallcheck: %s%s%s", verdict_colour(&p, r->verdict), r->verdict, p.reset);
    if (r->error[0]) {
        fprintf(out, ": %s (exit %d)\n", r->error, r->exit_code);
        return;
    }
    fprintf(out, " cause=%s", r->cause ? r->cause : "none");
    if (r->pipe_count > 0) {
        const pipe_figures *f = &r->pipes[r->main_pipe];
        fprintf(out, " pipe=");
        print_pending(out, f->pending);
        fprintf(out, "/%ld", f->capacity);
    }
    size_t in_time = 0;
    for (size_t i = 0; i < r->probe_count; i++)
        in_time += r->probes[i].answered && !r->probes[i].timed_out;
    fprintf(out, " fault=%s", r->fault.reached ? "reached" : "not-reached");
    fprintf(out, " probes=%zu/%zu in time", in_time, r->probe_count);
    fprintf(out, " near_deadline=%zu", r->near_deadline);
    if (r->verdict_ms >= 0)
        fprintf(out, " verdict_ms=%lld", (long long)r->time_to_verdict_ms);
    if (r->recovery_run)
        fprintf(out, " recovered=%s", r->recovered ? "yes" : "no");
    if (r->escaped_count > 0)
        fprintf(out, " escaped=%d", r->escaped_count);
    if (r->options->expect != EXPECT_NONE)
        fprintf(out, " expect=%s:%s", r->options->expect == EXPECT_STALLED ? "stalled" : "responsive",
                r->expect_met ? "met" : "not-met");
    fprintf(out, " exit=%d\n", r->exit_code);
}
