/* run.c: the sequence of a stallcheck run and its setup phases; see run.h.
 *
 * Setup (port, pipes, child, readiness) lives here, the fault in run_fault.c, probing and
 * judging in run_judge.c. Every phase checks the watchdog's flag and gives up when it fired, so
 * that the reports are always written with what was seen. */
#include "run.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>

#include "command_template.h"
#include "platform/platform.h"
#include "readiness.h"
#include "run_state.h"
#include "svg_out.h"
#include "util/clock.h"

int run_error(run_state *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->r->error, sizeof s->r->error, fmt, ap);
    va_end(ap);
    s->r->verdict = VERDICT_ERROR;
    s->r->cause = NULL;
    return -1;
}

bool run_aborted(const run_state *s)
{
    return watchdog_has_fired(s->dog);
}

const atomic_bool *run_cancel_flag(const run_state *s)
{
    return watchdog_flag(s->dog);
}

void run_scan_descendants(run_state *s)
{
    int before = s->child->escaped_count;
    if (child_scan_descendants(s->child) <= 0)
        return;
    pthread_mutex_lock(&s->child->lock);
    for (int i = before; i < s->child->escaped_count; i++) {
        const escaped_process *e = &s->child->escaped[i];
        timeline_event_add(&s->r->timeline, TL_ESCAPED, e->pid, "%s (pid %d, parent %d, group %d%s)", e->name,
                           e->pid, e->ppid, e->pgid, e->own_session ? ", own session" : "");
    }
    pthread_mutex_unlock(&s->child->lock);
}

void run_collect_threads(run_state *s, int samples, int interval_ms, int timeout_ms,
                         evidence *out)
{
    unsigned long long inodes[2];
    for (size_t i = 0; i < s->pipe_count; i++)
        inodes[i] = s->pipes[i].inode;
    evidence_request req;
    memset(&req, 0, sizeof req);
    req.pgid = s->child->pgid;
    req.pid = s->child->pid;
    req.root = getpid();
    req.log_pipe_inodes = inodes;
    req.log_pipe_inode_count = s->pipe_count;
    req.samples = samples;
    req.interval_ms = interval_ms;
    req.timeout_ms = timeout_ms;
    evidence_collect(&req, out);
}

static void describe_system(stall_result *r)
{
    snprintf(r->os, sizeof r->os, "%s", platform_os_name());
    r->flavor = platform_flavor();
    struct utsname u;
    if (uname(&u) == 0) {
        snprintf(r->kernel, sizeof r->kernel, "%s", u.release);
        snprintf(r->arch, sizeof r->arch, "%s", u.machine);
    }
}

static int choose_port(run_state *s)
{
    const stall_options *o = s->o;
    char err[256] = "";
    if (o->port > 0) {
        if (readiness_port_is_busy(o->host, o->port))
            return run_error(s, "port %d on %s is already in use: refusing to test whatever "
                                  "listens there (pick another --port or leave it out)",
                               o->port, o->host);
        s->r->port = o->port;
    } else {
        int port = readiness_pick_free_port(o->host, err, sizeof err);
        if (port <= 0)
            return run_error(s, "no free port: %s", err);
        s->r->port = port;
    }
    const char *open_bracket = strchr(o->host, ':') ? "[" : "";
    const char *close_bracket = strchr(o->host, ':') ? "]" : "";
    snprintf(s->r->base_url, sizeof s->r->base_url, "http://%s%s%s:%d", open_bracket, o->host,
             close_bracket, s->r->port);
    return 0;
}

static int open_pipes_and_readers(run_state *s)
{
    const stall_options *o = s->o;
    char err[256] = "";
    s->pipe_count = o->separate_pipes ? 2 : 1;
    const char *names[2] = { o->separate_pipes ? "stdout" : "stdout+stderr", "stderr" };
    for (size_t i = 0; i < s->pipe_count; i++) {
        if (log_pipe_open(&s->pipes[i], names[i], o->pipe_size, err, sizeof err) != 0) {
            s->pipe_count = i;
            return run_error(s, "cannot create the %s pipe: %s", names[i], err);
        }
        if (reader_init(&s->readers[i], &s->pipes[i], o->reader, o->reader_arg) != 0) {
            s->pipe_count = i + 1;
            return run_error(s, "cannot set up the pipe reader");
        }
        s->readers_ready[i] = true;
    }
    s->pipe_count = o->separate_pipes ? 2 : 1;
    return 0;
}

static int open_pipes(run_state *s)
{
    int rc = open_pipes_and_readers(s);
    if (s->pipe_count > 0)
        progress_set_capacity(&s->progress, s->pipes[0].capacity);
    return rc;
}

static int spawn_child(run_state *s)
{
    const stall_options *o = s->o;
    stall_result *r = s->r;
    r->command = template_expand_command(o->command, o->command_count, r->port);
    s->envp = template_build_environment(&o->env, r->port);
    if (!r->command || !s->envp)
        return run_error(s, "out of memory");
    char err[256] = "";
    int out_fd = s->pipes[0].write_fd;
    int err_fd = s->pipe_count == 2 ? s->pipes[1].write_fd : s->pipes[0].write_fd;
    timeline_set_origin(&r->timeline, clock_monotonic_ms()); /* t = 0: the child's start */
    if (child_spawn(s->child, r->command, s->envp, out_fd, err_fd, err, sizeof err) != 0)
        return run_error(s, "%s", err);
    r->child_pid = (int)s->child->pid;
    timeline_event_add(&r->timeline, TL_SPAWNED, r->child_pid, "%s", r->command[0]);
    for (size_t i = 0; i < s->pipe_count; i++)
        log_pipe_close_write(&s->pipes[i]); /* the child holds the only write ends now */
    for (size_t i = 0; i < s->pipe_count; i++)
        if (reader_start(&s->readers[i]) != 0)
            return run_error(s, "cannot start the pipe reader");
    if (timeline_sampler_start(&s->sampler, &r->timeline, s->pipes, s->readers, s->pipe_count,
                               s->o->sample_ms) != 0)
        return run_error(s, "cannot start the pipe sampler");
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
    if (ready.outcome == READY_OK) {
        timeline_event_add(&r->timeline, TL_READY, ready.attempts, "GET %s answered %ld", o->ready_path,
                           ready.last_status);
        return 0;
    }
    if (ready.outcome == READY_CHILD_EXITED) {
        char how[96];
        child_describe_exit(s->child, how, sizeof how);
        collect_output_tail(s);
        return run_error(s, "the child exited before it was ready: %s", how);
    }
    return run_error(s, "the child was not ready within %ld ms (GET %s: %s)", o->startup_ms,
                       o->ready_path, ready.last_error[0] ? ready.last_error : "no answer");
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
    r->escaped_count = s->child->escaped_count;
    r->escaped_seen = s->child->escaped_seen;
    r->tree_unsupported = s->child->tree_unsupported;
    memcpy(r->escaped, s->child->escaped, sizeof r->escaped);
    pthread_mutex_unlock(&s->child->lock);
    timeline_event_add(&r->timeline, TL_CHILD_ENDED, r->child_pid, "%s%s", r->child_exit,
                       r->escaped_count ? " (escaped descendants killed too)" : "");
}

/* stallcheck's own CPU time so far, every thread of it (not the child's). */
static void record_self_cpu(stall_result *r)
{
    struct rusage ru;
    r->self_cpu_user_us = -1;
    r->self_cpu_sys_us = -1;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return;
    r->self_cpu_user_us = (int64_t)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec;
    r->self_cpu_sys_us = (int64_t)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
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
    free(s->fill_body);
    s->fill_body = NULL;
    free(s->fill);
    s->fill = NULL;
}

static int exit_code_for(const stall_options *o, stall_result *r)
{
    if (strcmp(r->verdict, VERDICT_ERROR) == 0) {
        r->expect_met = false;
        return 2;
    }
    if (strcmp(r->verdict, VERDICT_INCONCLUSIVE) == 0) {
        r->expect_met = false; /* whatever was expected: a run without the fault proves nothing */
        return 3;
    }
    bool stalled = strcmp(r->verdict, VERDICT_STALLED) == 0;
    switch (o->expect) {
    case EXPECT_NONE:
    case EXPECT_RESPONSIVE:
        r->expect_met = !stalled;
        break;
    case EXPECT_STALLED:
        r->expect_met = stalled;
        break;
    }
    return r->expect_met ? 0 : 1;
}

/* Everything after readiness: baseline, fault, probes, evidence, verdict, recovery, cause. */
static int check_server(run_state *s)
{
    stall_result *r = s->r;
    run_scan_descendants(s);
    s->phase = "the baseline snapshot";
    run_take_baseline(s);
    s->phase = "building the fault";
    if (run_establish_fault(s) != 0)
        return -1;
    run_scan_descendants(s);
    s->phase = "the probes";
    if (run_probe_rounds(s) != 0)
        return -1;
    if (run_aborted(s))
        return -1;
    if (child_has_exited(s->child)) {
        char how[96];
        child_describe_exit(s->child, how, sizeof how);
        r->child_died_during_run = true;
        return run_error(s, "the child died during the run (%s): neither responsive nor stalled", how);
    }
    for (size_t i = 0; i < r->probe_count; i++)
        if (!r->probes[i].answered && !r->probes[i].timed_out)
            return run_error(s, "probe %s %s got no HTTP answer: %s", r->probes[i].method, r->probes[i].path,
                             r->probes[i].error);

    /* the evidence and the collected pages were taken while the first round was pending */
    s->phase = "the verdict";
    run_decide_verdict(s);
    s->phase = "the recovery check";
    run_check_recovery(s);
    run_decide_cause(s);
    return 0;
}

/* The status line's last words: the verdict and how long the run took. */
static void stop_progress(run_state *s)
{
    const stall_result *r = s->r;
    char final[200], took[24];
    svg_format_duration((long)r->duration_ms, took, sizeof took);
    snprintf(final, sizeof final, "%s%s%s%s after %s", r->verdict, r->cause ? " (" : "",
             r->cause ? r->cause : "", r->cause ? ")" : "", took);
    progress_stop(&s->progress, final);
}

int run_stallcheck(const stall_options *o, child_process *child, const watchdog *dog,
                   FILE *progress_out, stall_result *r)
{
    memset(r, 0, sizeof *r);
    r->options = o;
    r->verdict = VERDICT_ERROR;
    r->child_exit_code = -1;
    r->child_exit_signal = -1;
    r->verdict_ms = -1;
    r->sampler_cpu_us = -1;
    r->self_cpu_user_us = -1;
    r->self_cpu_sys_us = -1;
    snprintf(r->child_exit, sizeof r->child_exit, "not started");
    describe_system(r);
    int64_t start = clock_monotonic_ms();
    (void)timeline_init(&r->timeline, start); /* out of memory: the run goes on without one */

    run_state s;
    memset(&s, 0, sizeof s);
    s.o = o;
    s.r = r;
    s.child = child;
    s.dog = dog;
    s.phase = "the setup";
    for (size_t i = 0; i < 2; i++) {
        s.pipes[i].read_fd = -1;
        s.pipes[i].write_fd = -1;
        s.pipes[i].probe_fd = -1;
        r->pipes[i].pending = -1;
        r->pipes[i].pending_after_trigger = -1;
        r->pipes[i].pending_after_recovery = -1;
        r->pipes[i].has_room = -1;
    }
    r->fault.pending = -1;
    r->fault.has_room = -1;
    r->fault.fill_ms = o->fill_ms;

    r->subreaper = child_adopt_orphans();
    (void)progress_start(&s.progress, progress_out, &r->timeline, o->rounds, o->deadline_ms);
    if (choose_port(&s) == 0 && open_pipes(&s) == 0 && spawn_child(&s) == 0) {
        s.phase = "the readiness check";
        if (wait_until_ready(&s) == 0)
            (void)check_server(&s);
    }

    if (r->pipe_count == 0)
        run_gather_pipe_figures(&s); /* error paths: still report what the pipes were */
    run_finish_flood(&s);
    if (run_aborted(&s)) {
        timeline_event_add(&r->timeline, TL_WATCHDOG, 0, "during %s", s.phase);
        snprintf(r->error, sizeof r->error, "%s (during %s)", watchdog_reason(dog), s.phase);
        r->verdict = VERDICT_ERROR;
        r->cause = NULL;
    }
    end_child(&s);
    timeline_sampler_stop(&s.sampler);
    r->sample_interval_ms = o->sample_ms;
    r->samples = s.sampler.samples;
    r->sampler_cpu_us = s.sampler.cpu_us;
    release_state(&s);
    record_self_cpu(r);
    r->duration_ms = clock_monotonic_ms() - start;
    r->exit_code = exit_code_for(o, r);
    stop_progress(&s);
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
    evidence_free(&r->baseline);
    timeline_free(&r->timeline);
}
