/* report_markdown.c: the Markdown report (--summary); see report_markdown.h. */
#include "report_markdown.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cause.h"
#include "version.h"

/* Most thread rows shown; the JSON report has them all. */
#define MAX_THREAD_ROWS 24

void report_markdown_escape(FILE *out, const char *text)
{
    for (const char *s = text ? text : ""; *s; s++) {
        switch (*s) {
        case '\\':
        case '`':
        case '*':
        case '_':
        case '[':
        case ']':
        case '<':
        case '>':
        case '|':
        case '#':
        case '~':
            fputc('\\', out);
            fputc(*s, out);
            break;
        case '\n':
        case '\r':
        case '\t':
            fputc(' ', out);
            break;
        default:
            if ((unsigned char)*s >= 0x20)
                fputc(*s, out);
        }
    }
}

/* Text in a code span inside a table: backticks cannot be escaped in one, so a text with a
 * backtick is written escaped instead; a `|` is escaped as GFM requires even in code. */
static void md_code(FILE *out, const char *text)
{
    if (!text || !*text || strchr(text, '`')) {
        report_markdown_escape(out, text);
        return;
    }
    fputc('`', out);
    for (const char *s = text; *s; s++) {
        if (*s == '|')
            fputs("\\|", out);
        else if (*s == '\n' || *s == '\r' || *s == '\t')
            fputc(' ', out);
        else if ((unsigned char)*s >= 0x20)
            fputc(*s, out);
    }
    fputc('`', out);
}

static bool is(const char *a, const char *b)
{
    return a && strcmp(a, b) == 0;
}

static const char *expect_word(const stall_options *o)
{
    return o->expect == EXPECT_STALLED      ? "stalled"
           : o->expect == EXPECT_RESPONSIVE ? "responsive"
                                            : NULL;
}

/* "PASS" when the exit status is 0, else why not. */
static const char *gate_word(const stall_result *r)
{
    switch (r->exit_code) {
    case 0:
        return "PASS";
    case 1:
        return "FAIL: expectation not met";
    case 3:
        return "FAIL: inconclusive (the fault was never in place)";
    default:
        return "FAIL: error";
    }
}

static void write_heading(FILE *out, const stall_result *r)
{
    fprintf(out, "### stallcheck: %s", r->verdict);
    if (r->cause && !is(r->cause, CAUSE_NONE))
        fprintf(out, " (%s)", r->cause);
    fprintf(out, " - %s\n\n", gate_word(r));
}

static void write_command(FILE *out, const stall_result *r)
{
    const stall_options *o = r->options;
    size_t len = 1;
    for (char **c = r->command; c && *c; c++)
        len += strlen(*c) + 1;
    for (int i = 0; !r->command && i < o->command_count; i++)
        len += strlen(o->command[i]) + 1;
    char *line = malloc(len);
    if (!line)
        return;
    line[0] = '\0';
    for (char **c = r->command; c && *c; c++) {
        if (c != r->command)
            strcat(line, " ");
        strcat(line, *c);
    }
    for (int i = 0; !r->command && i < o->command_count; i++) {
        if (i)
            strcat(line, " ");
        strcat(line, o->command[i]);
    }
    fputs("| command | ", out);
    md_code(out, line);
    fputs(" |\n", out);
    free(line);
}

static void write_overview(FILE *out, const stall_result *r)
{
    const stall_options *o = r->options;
    fputs("| | |\n|---|---|\n", out);
    fprintf(out, "| verdict | **%s**", r->verdict);
    const char *expected = expect_word(o);
    if (expected && !is(r->verdict, VERDICT_ERROR))
        fprintf(out, " (expected %s: %s)", expected, r->expect_met ? "met" : "**NOT met**");
    fprintf(out, ", exit status %d", r->exit_code);
    if (r->verdict_basis[0] && !is(r->verdict, VERDICT_ERROR)) {
        fputs(": ", out);
        report_markdown_escape(out, r->verdict_basis);
    }
    fputs(" |\n", out);
    fputs("| cause | ", out);
    if (r->cause) {
        md_code(out, r->cause);
        if (r->cause_detail[0]) {
            fputs(": ", out);
            report_markdown_escape(out, r->cause_detail);
        }
    } else {
        fputs("none (no verdict)", out);
    }
    fputs(" |\n", out);
    const fault_figures *f = &r->fault;
    fputs("| fault | ", out);
    if (f->summary[0]) {
        fprintf(out, "%s: ", f->reached ? "established" : "**NOT established**");
        report_markdown_escape(out, f->summary);
        fprintf(out, " after %lld ms (bound --fill-ms %ld)", (long long)f->established_ms,
                f->fill_ms);
        if (!f->reached)
            fputs("; the probes ran without the fault, so an answer proves nothing", out);
    } else {
        fputs("not built (the run ended before)", out);
    }
    fputs(" |\n", out);
    if (r->verdict_ms >= 0)
        fprintf(
            out,
            "| time to verdict | %lld ms after the trigger (fault %lld ms, probing %lld ms) |\n",
            (long long)r->time_to_verdict_ms, (long long)f->established_ms,
            (long long)(r->time_to_verdict_ms - f->established_ms));
    write_command(out, r);
    fputs("| system | ", out);
    report_markdown_escape(out, r->os);
    fputc(' ', out);
    report_markdown_escape(out, r->kernel);
    fputc(' ', out);
    report_markdown_escape(out, r->arch);
    fprintf(out, ", %s build, stallcheck %s |\n", r->flavor ? r->flavor : "?", STALLCHECK_VERSION);
    if (r->error[0]) {
        fputs("| error | ", out);
        report_markdown_escape(out, r->error);
        fputs(" |\n", out);
    }
    fputc('\n', out);
    if (is(r->verdict, VERDICT_INCONCLUSIVE))
        fputs("> **Inconclusive is not a pass**: the fault (a full pipe nobody reads) was never in "
              "place. CI must treat exit status 3 as a failure.\n\n",
              out);
}

static void probe_row(FILE *out, const probe_result *p, const char *phase)
{
    fprintf(out, "| %s %d | ", phase, p->round);
    md_code(out, p->method);
    fputc(' ', out);
    md_code(out, p->path);
    if (p->status > 0)
        fprintf(out, " | %ld", p->status);
    else
        fputs(" | -", out);
    fprintf(out, " | %llu | %lld ms | ", p->bytes, (long long)p->latency_ms);
    if (p->timed_out)
        fputs("**TIMEOUT**", out);
    else if (p->answered && p->near_deadline)
        fputs("ok, **near the deadline**", out);
    else if (p->answered)
        fputs("ok", out);
    else {
        fputs("**failed**", out);
        if (p->error[0]) {
            fputs(": ", out);
            report_markdown_escape(out, p->error);
        }
    }
    fputs(" |\n", out);
}

static void write_probes(FILE *out, const stall_result *r)
{
    const stall_options *o = r->options;
    if (r->probe_count == 0 && r->recovery_count == 0)
        return;
    fprintf(out, "#### Probes\n\n%ld round(s) of %zu concurrent probe(s), deadline %ld ms",
            r->rounds_run, o->probe_count, o->deadline_ms);
    if (r->rounds_skipped > 0)
        fprintf(out, " (%ld more not run: the verdict was known)", r->rounds_skipped);
    fputs(
        ".\n\n| round | request | status | bytes | latency | result |\n|---|---|---|---|---|---|\n",
        out);
    for (size_t i = 0; i < r->probe_count; i++)
        probe_row(out, &r->probes[i], "probe");
    for (size_t i = 0; i < r->recovery_count; i++)
        probe_row(out, &r->recovery_probes[i], "recovery");
    fputc('\n', out);
    if (r->near_deadline > 0) {
        fprintf(out,
                "> **Warning**: %zu probe(s) answered after more than %d%% of the %ld ms deadline: "
                "the margin is thin, a busier machine may see a stall.\n",
                r->near_deadline, PROBE_NEAR_DEADLINE_PERCENT, o->deadline_ms);
        for (size_t i = 0; i < r->probe_count; i++) {
            const probe_result *p = &r->probes[i];
            if (!p->near_deadline)
                continue;
            fputs("> - ", out);
            md_code(out, p->method);
            fputc(' ', out);
            md_code(out, p->path);
            fprintf(out, " in round %d: %lld ms\n", p->round, (long long)p->latency_ms);
        }
        fputc('\n', out);
    }
}

static void write_threads(FILE *out, const stall_result *r)
{
    const evidence *ev = &r->threads;
    if (!ev->source)
        return;
    fprintf(out,
            "#### Threads\n\nsource `%s`, %d sample(s), %d process(es), %zu thread(s): %zu blocked "
            "writing the log pipe, %zu in new lock waits (largest convoy %zu), %zu idle, %zu "
            "blocked writing something else.\n\n",
            ev->source, ev->samples_taken, ev->processes, ev->count, ev->log_writers,
            ev->lock_waiters, ev->convoy_threads, ev->idle, ev->other_writers);
    if (r->shape[0]) {
        fputs("Shape: ", out);
        report_markdown_escape(out, r->shape);
        fputs(".\n\n", out);
    }
    if (r->waits[0]) {
        fputs("Blocked in: ", out);
        report_markdown_escape(out, r->waits);
        fputs(".\n\n", out);
    }
    if (ev->note[0]) {
        fputs("_Note: ", out);
        report_markdown_escape(out, ev->note);
        fputs("_\n\n", out);
    }
    if (ev->count == 0)
        return;
    fputs("| pid | tid | name | role | in |\n|---|---|---|---|---|\n", out);
    size_t shown = 0;
    /* the threads that explain the stall first, the idle ones last */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < ev->count && shown < MAX_THREAD_ROWS; i++) {
            const thread_evidence *t = &ev->threads[i];
            bool idle = t->role == ROLE_IDLE || t->same_wait_as_baseline;
            if (idle != (pass == 1))
                continue;
            fprintf(out, "| %d | %d | ", t->pid, t->tid);
            report_markdown_escape(out, t->name);
            fprintf(out, " | %s | ", thread_role_name(t->role));
            md_code(out, t->syscall);
            if (t->on_log_pipe)
                fputs(" (the log pipe)", out);
            fputs(" |\n", out);
            shown++;
        }
    }
    if (ev->count > shown)
        fprintf(out, "| | | %zu more | | (in the JSON report) |\n", ev->count - shown);
    fputc('\n', out);
}

static void write_pipes(FILE *out, const stall_result *r)
{
    if (r->pipe_count == 0)
        return;
    fputs("#### Pipe\n\n| pipe | capacity | pending after the trigger | pending at the verdict | "
          "full | "
          "free slot | after the recovery drain |\n|---|---|---|---|---|---|---|\n",
          out);
    for (size_t i = 0; i < r->pipe_count; i++) {
        const pipe_figures *p = &r->pipes[i];
        fputs("| ", out);
        report_markdown_escape(out, p->name);
        fprintf(out, " | %ld (%s) | ", p->capacity, p->capacity_source ? p->capacity_source : "?");
        if (p->pending_after_trigger >= 0)
            fprintf(out, "%ld", p->pending_after_trigger);
        else
            fputs("-", out);
        fputs(" | ", out);
        if (p->pending >= 0)
            fprintf(out, "%ld", p->pending);
        else
            fputs("unknown (read end closed)", out);
        fprintf(out, " | %s | %s | ", p->full ? "**yes**" : "no",
                p->has_room < 0 ? "unknown"
                : p->has_room   ? "yes"
                                : "**no**");
        if (p->pending_after_recovery >= 0)
            fprintf(out, "%ld", p->pending_after_recovery);
        else
            fputs("-", out);
        fputs(" |\n", out);
    }
    fputc('\n', out);
}

static void write_recovery_and_child(FILE *out, const stall_result *r)
{
    if (r->recovery_run) {
        size_t answered = probes_count_answered(r->recovery_probes, r->recovery_count);
        fprintf(out,
                "Recovery: the pipe was drained and probed again: **%s** (%zu/%zu answered).\n\n",
                r->recovered ? "recovered" : "NOT recovered", answered, r->recovery_count);
    }
    fprintf(out, "Child: pid %d, ", r->child_pid);
    report_markdown_escape(out, r->child_exit);
    if (r->child_term_ignored)
        fputs(" (ignored SIGTERM: killed after the grace period)", out);
    if (!r->subreaper)
        fputs("; no child subreaper on this road: a descendant that daemonised before the first "
              "scan is not found",
              out);
    fputs(".\n", out);
    for (int i = 0; i < r->escaped_count; i++) {
        const escaped_process *e = &r->escaped[i];
        fprintf(out, "- escaped the process group: pid %d ", e->pid);
        report_markdown_escape(out, e->name);
        fprintf(out, " (parent %d, group %d, session %d%s): %s\n", e->ppid, e->pgid, e->sid,
                e->own_session ? ", a session of its own" : "",
                e->killed ? "killed" : "**NOT confirmed gone**");
    }
    if (r->output_tail[0]) {
        /* the server's own words: in a fence long enough that no backtick run inside closes it */
        size_t longest = 0, run = 0;
        for (const char *s = r->output_tail; *s; s++) {
            run = *s == '`' ? run + 1 : 0;
            if (run > longest)
                longest = run;
        }
        size_t fence = longest >= 3 ? longest + 1 : 3;
        fputs("\nThe child's last output:\n\n", out);
        for (size_t i = 0; i < fence; i++)
            fputc('`', out);
        fputs("text\n", out);
        fputs(r->output_tail, out);
        fputc('\n', out);
        for (size_t i = 0; i < fence; i++)
            fputc('`', out);
        fputc('\n', out);
    }
    fputc('\n', out);
}

void report_markdown(FILE *out, const stall_result *r)
{
    write_heading(out, r);
    write_overview(out, r);
    write_probes(out, r);
    write_threads(out, r);
    write_pipes(out, r);
    write_recovery_and_child(out, r);
}

/* Writes through a temporary file in the same directory and renames it over path. */
static int write_atomically(const char *path, void (*write_body)(FILE *, const void *),
                            const void *ctx)
{
    size_t tmp_len = strlen(path) + 32;
    char *tmp = malloc(tmp_len);
    if (!tmp)
        return -1;
    snprintf(tmp, tmp_len, "%s.tmp.%ld", path, (long)getpid());
    int rc = -1;
    FILE *f = fopen(tmp, "w");
    if (f) {
        write_body(f, ctx);
        bool ok = !ferror(f);
        ok = fclose(f) == 0 && ok;
        if (ok && rename(tmp, path) == 0)
            rc = 0;
        else
            unlink(tmp);
    }
    free(tmp);
    return rc;
}

static void write_result_body(FILE *f, const void *ctx)
{
    report_markdown(f, ctx);
}

int report_write_markdown(const char *path, const stall_result *r)
{
    return write_atomically(path, write_result_body, r);
}

typedef struct minimal_report {
    const char *reason;
    int child_pid;
} minimal_report;

static void write_minimal_body(FILE *f, const void *ctx)
{
    const minimal_report *m = ctx;
    fputs("### stallcheck: error - FAIL: error\n\n| | |\n|---|---|\n| verdict | **error**, exit "
          "status 2 |\n"
          "| error | ",
          f);
    report_markdown_escape(f, m->reason);
    fprintf(f, "; the run did not finish its reports, the child (pid %d) was killed |\n",
            m->child_pid);
}

int report_write_markdown_minimal(const char *path, const char *reason, int child_pid)
{
    minimal_report m = {reason, child_pid};
    return write_atomically(path, write_minimal_body, &m);
}
