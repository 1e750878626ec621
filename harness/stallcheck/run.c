/* run.c: the phases of a stallcheck run; see run.h. */
#include "run.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cause.h"
#include "command_template.h"
#include "http_batch.h"
#include "evidence.h"
#include "platform/platform.h"
#include "readiness.h"
#include "reader.h"
#include "trigger.h"
#include "util/clock.h"

/* How often the pipe level is looked at while waiting for the trigger to fill it. */
#define PIPE_POLL_MS 10
/* Thread evidence: looks per thread and the spacing between them. */
#define EVIDENCE_SAMPLES 3
#define EVIDENCE_INTERVAL_MS 30
#define EVIDENCE_TOOL_TIMEOUT_MS 15000

/* The live state of a run that is not part of the result. */
typedef struct run_state {
    const stall_options *o;
    stall_result *r;
    child_process *child;
    log_pipe pipes[2];
    pipe_reader readers[2];
    bool readers_ready[2];
    size_t pipe_count;
    char **envp;
    char *default_body;
    trigger_run trigger;
} run_state;


static int setup_error(run_state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int setup_error(run_state *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->r->error, sizeof s->r->error, fmt, ap);
    va_end(ap);
    s->r->verdict = VERDICT_ERROR;
    s->r->cause = NULL;
    return -1;
}

static void describe_system(stall_result *r)
{
    snprintf(r->os, sizeof r->os, "%s", platform_os_name());
    struct utsname u;
    if (uname(&u) == 0) {
        snprintf(r->kernel, sizeof r->kernel, "%s", u.release);
        snprintf(r->arch, sizeof r->arch, "%s", u.machine);
    }
}

/* Full by level (FIONREAD within the slack of capacity): the signal to stop flooding and start
 * probing. The kernel's "no free buffer slot" answer is not used here: a pipe in that state
 * still merges small writes into its last page, so the server may not be blocked yet; when it
 * is, the trigger request hangs and its bound ends the wait anyway. */
static bool any_pipe_full(void *ctx)
{
    run_state *s = ctx;
    for (size_t i = 0; i < s->pipe_count; i++)
        if (log_pipe_level_is_full(log_pipe_pending(&s->pipes[i]), s->pipes[i].capacity))
            return true;
    return false;
}

/* For a flood of small requests the level rule above stops too early: with a few KiB left in
 * the last page the server still writes its next lines and is not blocked yet. A flood therefore
 * goes on until the pipe is full to within a few hundred bytes (less than one log line of the
 * probes), or until a trigger gets no answer (the server blocked), whichever comes first. */
#define FLOOD_FULL_SLACK 512

static bool any_pipe_nearly_full(void *ctx)
{
    run_state *s = ctx;
    for (size_t i = 0; i < s->pipe_count; i++) {
        long pending = log_pipe_pending(&s->pipes[i]);
        long capacity = s->pipes[i].capacity;
        if (capacity > 0 && pending >= capacity - FLOOD_FULL_SLACK)
            return true;
    }
    return false;
}

static long total_pending(run_state *s)
{
    long total = 0;
    for (size_t i = 0; i < s->pipe_count; i++) {
        long p = log_pipe_pending(&s->pipes[i]);
        if (p < 0)
            return -1;
        total += p;
    }
    return total;
}

static int choose_port(run_state *s)
{
    const stall_options *o = s->o;
    char err[256] = "";
    if (o->port > 0) {
        if (readiness_port_is_busy(o->host, o->port))
            return setup_error(s, "port %d on %s is already in use: refusing to test whatever "
                                  "listens there (pick another --port or leave it out)",
                               o->port, o->host);
        s->r->port = o->port;
    } else {
        int port = readiness_pick_free_port(o->host, err, sizeof err);
        if (port <= 0)
            return setup_error(s, "no free port: %s", err);
        s->r->port = port;
    }
    const char *open_bracket = strchr(o->host, ':') ? "[" : "";
    const char *close_bracket = strchr(o->host, ':') ? "]" : "";
    snprintf(s->r->base_url, sizeof s->r->base_url, "http://%s%s%s:%d", open_bracket, o->host,
             close_bracket, s->r->port);
    return 0;
}

static int open_pipes(run_state *s)
{
    const stall_options *o = s->o;
    char err[256] = "";
    s->pipe_count = o->separate_pipes ? 2 : 1;
    const char *names[2] = { o->separate_pipes ? "stdout" : "stdout+stderr", "stderr" };
    for (size_t i = 0; i < s->pipe_count; i++) {
        if (log_pipe_open(&s->pipes[i], names[i], o->pipe_size, err, sizeof err) != 0) {
            s->pipe_count = i;
            return setup_error(s, "cannot create the %s pipe: %s", names[i], err);
        }
        if (reader_init(&s->readers[i], &s->pipes[i], o->reader, o->reader_arg) != 0) {
            s->pipe_count = i + 1;
            return setup_error(s, "cannot set up the pipe reader");
        }
        s->readers_ready[i] = true;
    }
    s->pipe_count = o->separate_pipes ? 2 : 1;
    return 0;
}

static int spawn_child(run_state *s)
{
    const stall_options *o = s->o;
    stall_result *r = s->r;
    r->command = template_expand_command(o->command, o->command_count, r->port);
    s->envp = template_build_environment(&o->env, r->port);
    if (!r->command || !s->envp)
        return setup_error(s, "out of memory");
    char err[256] = "";
    int out_fd = s->pipes[0].write_fd;
    int err_fd = s->pipe_count == 2 ? s->pipes[1].write_fd : s->pipes[0].write_fd;
    if (child_spawn(s->child, r->command, s->envp, out_fd, err_fd, err, sizeof err) != 0)
        return setup_error(s, "%s", err);
    r->child_pid = (int)s->child->pid;
    for (size_t i = 0; i < s->pipe_count; i++)
        log_pipe_close_write(&s->pipes[i]); /* the child holds the only write ends now */
    for (size_t i = 0; i < s->pipe_count; i++)
        if (reader_start(&s->readers[i]) != 0)
            return setup_error(s, "cannot start the pipe reader");
    return 0;
}

/* The child's last output: what the readers kept plus what is still in the pipes. */
static void collect_output_tail(run_state *s)
{
    stall_result *r = s->r;
    size_t used = 0;
    r->output_tail[0] = '\0';
    for (size_t i = 0; i < s->pipe_count; i++) {
        if (s->readers_ready[i])
            reader_stop(&s->readers[i]);
        char kept[READER_TAIL_BYTES + 1] = "";
        char rest[sizeof r->output_tail] = "";
        if (s->readers_ready[i])
            reader_copy_tail(&s->readers[i], kept, sizeof kept);
        log_pipe_read_tail(&s->pipes[i], rest, sizeof rest);
        char both[sizeof kept + sizeof rest];
        snprintf(both, sizeof both, "%s%s", kept, rest);
        size_t len = strlen(both);
        size_t room = sizeof r->output_tail - 1 - used;
        size_t take = len < room / (s->pipe_count - i) ? len : room / (s->pipe_count - i);
        memcpy(r->output_tail + used, both + len - take, take);
        used += take;
        r->output_tail[used] = '\0';
    }
}

static int wait_until_ready(run_state *s)
{
    const stall_options *o = s->o;
    stall_result *r = s->r;
    ready_report ready;
    readiness_wait(r->base_url, o->ready_path, &o->headers, o->startup_ms, s->child, &ready);
    r->ready_attempts = ready.attempts;
    r->ready_ms = ready.elapsed_ms;
    if (ready.outcome == READY_OK)
        return 0;
    if (ready.outcome == READY_CHILD_EXITED) {
        char how[96];
        child_describe_exit(s->child, how, sizeof how);
        collect_output_tail(s);
        return setup_error(s, "the child exited before it was ready: %s", how);
    }
    return setup_error(s, "the child was not ready within %ld ms (GET %s: %s)", o->startup_ms,
                       o->ready_path, ready.last_error[0] ? ready.last_error : "no answer");
}

/* Starts the trigger and returns once probing should start: the pipe is full, the trigger is
 * over, or the bound passed. Then waits (at most --settle-ms) for the pipe level to stop moving. */
static int trigger_and_wait(run_state *s)
{
    const stall_options *o = s->o;
    stall_result *r = s->r;
    trigger_figures *tf = &r->trigger;
    tf->enabled = o->trigger_enabled;
    tf->method = o->trigger.method;
    tf->path = o->trigger.path;
    tf->flood = o->flood;
    int64_t start = clock_monotonic_ms();

    if (!o->trigger_enabled) {
        tf->probing_started_because = "no-trigger";
        return 0;
    }
    trigger_run *t = &s->trigger;
    memset(t, 0, sizeof *t);
    t->base_url = r->base_url;
    t->method = o->trigger.method;
    t->path = o->trigger.path;
    if (o->trigger_body) {
        t->body = o->trigger_body;
        t->body_len = o->trigger_body_len;
    } else if (strcmp(o->trigger.method, "GET") != 0 && strcmp(o->trigger.method, "HEAD") != 0) {
        s->default_body = trigger_default_body(o->trigger_bytes, &t->body_len);
        if (!s->default_body)
            return setup_error(s, "out of memory building the trigger body");
        t->body = s->default_body;
    }
    tf->body_bytes = t->body_len;
    t->headers = &o->headers;
    t->extra_headers = &o->trigger_headers;
    t->timeout_ms = o->trigger_timeout_ms;
    t->flood = o->flood;
    bool (*full)(void *) = o->flood > 1 ? any_pipe_nearly_full : any_pipe_full;
    t->pipe_full = full;
    t->pipe_full_ctx = s;
    if (trigger_start(t) != 0)
        return setup_error(s, "cannot start the trigger thread");

    int64_t bound = start + o->trigger_timeout_ms * o->flood + 1000;
    tf->probing_started_because = "trigger-bound";
    for (;;) {
        if (full(s)) {
            tf->probing_started_because = "pipe-full";
            break;
        }
        if (trigger_is_finished(t)) {
            tf->probing_started_because = "trigger-finished";
            break;
        }
        if (clock_monotonic_ms() >= bound)
            break;
        sleep_ms(PIPE_POLL_MS);
    }

    /* Settle: the level must stop moving (a logger may still be writing out the trigger). */
    int64_t settle_end = clock_monotonic_ms() + o->settle_ms;
    long previous = total_pending(s);
    while (previous >= 0 && clock_monotonic_ms() < settle_end && !any_pipe_full(s)) {
        sleep_ms(2 * PIPE_POLL_MS);
        long now = total_pending(s);
        if (now == previous)
            break;
        previous = now;
    }
    tf->wait_ms = clock_monotonic_ms() - start;
    for (size_t i = 0; i < s->pipe_count; i++)
        r->pipes[i].pending_after_trigger = log_pipe_pending(&s->pipes[i]);
    return 0;
}

static int run_probes(run_state *s)
{
    const stall_options *o = s->o;
    stall_result *r = s->r;
    size_t per_round = o->probe_count;
    r->probes = calloc(per_round * (size_t)o->rounds, sizeof *r->probes);
    if (!r->probes)
        return setup_error(s, "out of memory");
    for (long round = 1; round <= o->rounds; round++) {
        probes_run_round(r->base_url, o->probes, per_round, &o->headers, o->deadline_ms,
                         (int)round, r->probes + r->probe_count);
        r->probe_count += per_round;
    }
    return 0;
}

static void gather_pipe_figures(run_state *s)
{
    stall_result *r = s->r;
    r->pipe_count = s->pipe_count;
    double fullest = -1;
    for (size_t i = 0; i < s->pipe_count; i++) {
        pipe_figures *p = &r->pipes[i];
        const log_pipe *lp = &s->pipes[i];
        snprintf(p->name, sizeof p->name, "%s", lp->name);
        p->requested = lp->requested;
        p->capacity = lp->capacity;
        p->capacity_source = lp->capacity_source;
        p->scratch_capacity = lp->scratch_capacity;
        p->inode = lp->inode;
        p->pending = log_pipe_pending(lp);
        p->has_room = log_pipe_has_room(lp);
        p->full = p->has_room == 0 || log_pipe_level_is_full(p->pending, p->capacity);
        double level = p->capacity > 0 ? (double)p->pending / (double)p->capacity : 0;
        if (level > fullest) {
            fullest = level;
            r->main_pipe = i;
        }
    }
}

static void gather_evidence(run_state *s, bool pipe_full)
{
    stall_result *r = s->r;
    unsigned long long inodes[2];
    for (size_t i = 0; i < s->pipe_count; i++)
        inodes[i] = s->pipes[i].inode;
    evidence_request req;
    memset(&req, 0, sizeof req);
    req.pgid = s->child->pgid;
    req.pid = s->child->pid;
    req.log_pipe_inodes = inodes;
    req.log_pipe_inode_count = s->pipe_count;
    req.samples = EVIDENCE_SAMPLES;
    req.interval_ms = EVIDENCE_INTERVAL_MS;
    req.timeout_ms = EVIDENCE_TOOL_TIMEOUT_MS;
    evidence_collect(&req, &r->threads);

    cause_input in;
    memset(&in, 0, sizeof in);
    in.stalled = strcmp(r->verdict, VERDICT_STALLED) == 0;
    in.pipe_full = pipe_full;
    in.threads_seen = r->threads.count > 0;
    in.log_writers = r->threads.log_writers;
    in.lock_waiters = r->threads.lock_waiters;
    r->cause = cause_decide(&in, r->cause_detail, sizeof r->cause_detail);
}

static void check_recovery(run_state *s)
{
    const stall_options *o = s->o;
    stall_result *r = s->r;
    for (size_t i = 0; i < s->pipe_count; i++) {
        reader_snapshot before;
        reader_get_snapshot(&s->readers[i], &before);
        r->reader_bytes_before_recovery += before.bytes_read;
    }
    r->recovery_snapshot_taken = true;
    for (size_t i = 0; i < s->pipe_count; i++)
        if (reader_switch_to_drain(&s->readers[i]) != 0)
            return;
    r->recovery_probes = calloc(o->probe_count, sizeof *r->recovery_probes);
    if (!r->recovery_probes)
        return;
    r->recovery_run = true;
    r->recovery_count = o->probe_count;
    probes_run_round(r->base_url, o->probes, o->probe_count, &o->headers, o->deadline_ms,
                     (int)o->rounds + 1, r->recovery_probes);
    r->recovered = !probes_any_timed_out(r->recovery_probes, r->recovery_count) &&
                   probes_count_answered(r->recovery_probes, r->recovery_count) == r->recovery_count;
    for (size_t i = 0; i < s->pipe_count; i++)
        r->pipes[i].pending_after_recovery = log_pipe_pending(&s->pipes[i]);
}

static void finish_trigger(run_state *s)
{
    trigger_run *t = &s->trigger;
    if (!t->started)
        return;
    atomic_store(&t->cancel, true);
    trigger_join(t);
    trigger_figures *tf = &s->r->trigger;
    tf->sent = t->sent;
    tf->answered = t->answered;
    tf->timed_out = t->timed_out;
    tf->last_status = t->last_status;
    tf->last_latency_ms = t->last_latency_ms;
    tf->last_bytes = t->last_bytes;
    tf->stopped_pipe_full = t->stopped_pipe_full;
    tf->stopped_no_answer = t->stopped_no_answer;
    snprintf(tf->last_error, sizeof tf->last_error, "%s", t->last_error);
}

static void end_child(run_state *s)
{
    stall_result *r = s->r;
    child_terminate(s->child, s->o->kill_grace_ms);
    child_describe_exit(s->child, r->child_exit, sizeof r->child_exit);
    r->child_exit_code = child_exit_code(s->child);
    r->child_exit_signal = child_exit_signal(s->child);
    pthread_mutex_lock(&s->child->lock);
    r->child_term_ignored = s->child->term_ignored;
    r->orphans_reaped = s->child->orphans_reaped;
    pthread_mutex_unlock(&s->child->lock);
}

static void release_state(run_state *s)
{
    for (size_t i = 0; i < s->pipe_count; i++) {
        if (s->readers_ready[i]) {
            reader_stop(&s->readers[i]);
            reader_get_snapshot(&s->readers[i], &s->r->readers[i]);
            reader_destroy(&s->readers[i]);
            s->readers_ready[i] = false;
        }
        log_pipe_close(&s->pipes[i]);
    }
    template_free_vector(s->envp);
    s->envp = NULL;
    free(s->default_body);
    s->default_body = NULL;
}

static int exit_code_for(const stall_options *o, stall_result *r)
{
    if (strcmp(r->verdict, VERDICT_ERROR) == 0) {
        r->expect_met = false;
        return 2;
    }
    bool stalled = strcmp(r->verdict, VERDICT_STALLED) == 0;
    switch (o->expect) {
    case EXPECT_NONE:
        r->expect_met = !stalled;
        break;
    case EXPECT_RESPONSIVE:
        r->expect_met = !stalled;
        break;
    case EXPECT_STALLED:
        r->expect_met = stalled;
        break;
    }
    return r->expect_met ? 0 : 1;
}

#define COLLECT_BODY_CAP (64 * 1024)

/* --collect: fetch the requested pages while the fault lasts (e.g. the logger counters of a
 * server that still answers), concurrently, under the probe deadline. */
static void run_collects(run_state *s)
{
    const stall_options *o = s->o;
    stall_result *r = s->r;
    if (!o->collect_count)
        return;
    http_call *calls = calloc(o->collect_count, sizeof *calls);
    r->collected = calloc(o->collect_count, sizeof *r->collected);
    if (!calls || !r->collected) {
        free(calls);
        free(r->collected);
        r->collected = NULL;
        return;
    }
    for (size_t i = 0; i < o->collect_count; i++) {
        calls[i].method = o->collects[i].method;
        calls[i].path = o->collects[i].path;
        calls[i].headers = &o->headers;
        calls[i].deadline_ms = o->deadline_ms;
        calls[i].body_out = calloc(1, COLLECT_BODY_CAP);
        calls[i].body_out_cap = calls[i].body_out ? COLLECT_BODY_CAP : 0;
    }
    http_batch_run(r->base_url, calls, o->collect_count, NULL);
    for (size_t i = 0; i < o->collect_count; i++) {
        collected_item *c = &r->collected[i];
        c->method = calls[i].method;
        c->path = calls[i].path;
        c->status = calls[i].answered ? calls[i].status : 0;
        c->timed_out = calls[i].timed_out;
        c->latency_ms = calls[i].latency_ms;
        c->body = calls[i].body_out;
    }
    r->collected_count = o->collect_count;
    free(calls);
}

/* Everything after readiness: trigger, probes, verdict, evidence, recovery. */
static int check_server(run_state *s)
{
    stall_result *r = s->r;
    if (trigger_and_wait(s) != 0)
        return -1;
    if (run_probes(s) != 0)
        return -1;

    if (child_has_exited(s->child)) {
        char how[96];
        child_describe_exit(s->child, how, sizeof how);
        r->child_died_during_run = true;
        return setup_error(s, "the child died during the run (%s): neither responsive nor stalled", how);
    }
    if (probes_any_timed_out(r->probes, r->probe_count)) {
        r->verdict = VERDICT_STALLED;
    } else if (probes_any_failed_without_timeout(r->probes, r->probe_count)) {
        for (size_t i = 0; i < r->probe_count; i++)
            if (!r->probes[i].answered)
                return setup_error(s, "probe %s %s got no HTTP answer: %s", r->probes[i].method,
                                   r->probes[i].path, r->probes[i].error);
    } else {
        r->verdict = VERDICT_RESPONSIVE;
    }

    run_collects(s);
    gather_pipe_figures(s);
    bool pipe_full = false;
    for (size_t i = 0; i < r->pipe_count; i++)
        pipe_full = pipe_full || r->pipes[i].full;
    gather_evidence(s, pipe_full);
    check_recovery(s);
    return 0;
}

int run_stallcheck(const stall_options *o, child_process *child, stall_result *r)
{
    memset(r, 0, sizeof *r);
    r->options = o;
    r->verdict = VERDICT_ERROR;
    r->child_exit_code = -1;
    r->child_exit_signal = -1;
    snprintf(r->child_exit, sizeof r->child_exit, "not started");
    describe_system(r);
    int64_t start = clock_monotonic_ms();

    run_state s;
    memset(&s, 0, sizeof s);
    s.o = o;
    s.r = r;
    s.child = child;
    for (size_t i = 0; i < 2; i++) {
        s.pipes[i].read_fd = -1;
        s.pipes[i].write_fd = -1;
        r->pipes[i].pending = -1;
        r->pipes[i].pending_after_trigger = -1;
        r->pipes[i].pending_after_recovery = -1;
        r->pipes[i].has_room = -1;
    }

    child_adopt_orphans();
    if (choose_port(&s) == 0 && open_pipes(&s) == 0 && spawn_child(&s) == 0 &&
        wait_until_ready(&s) == 0)
        (void)check_server(&s);

    if (r->pipe_count == 0)
        gather_pipe_figures(&s); /* error paths: still report what the pipes were */
    finish_trigger(&s);
    end_child(&s);
    release_state(&s);
    r->duration_ms = clock_monotonic_ms() - start;
    r->exit_code = exit_code_for(o, r);
    return r->exit_code;
}

void run_result_free(stall_result *r)
{
    template_free_vector(r->command);
    r->command = NULL;
    free(r->probes);
    r->probes = NULL;
    free(r->recovery_probes);
    r->recovery_probes = NULL;
    for (size_t i = 0; i < r->collected_count; i++)
        free(r->collected[i].body);
    free(r->collected);
    r->collected = NULL;
    r->collected_count = 0;
    evidence_free(&r->threads);
}
