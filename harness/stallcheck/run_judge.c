/* run_judge.c: probing, evidence, verdict, recovery and cause; see run_state.h.
 *
 * The order matters: the verdict needs the evidence (a trigger that never got an answer while a
 * thread is blocked writing the log pipe makes the run stalled), and the cause needs the
 * recovery (a stall that draining the pipe does not cure is not the pipe's fault). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cause.h"
#include "http_batch.h"
#include "run_state.h"
#include "platform/platform.h"
#include "thread_shape.h"
#include "util/clock.h"

/* Thread evidence: looks per thread and the spacing between them. */
#define EVIDENCE_SAMPLES 3
#define EVIDENCE_INTERVAL_MS 30
#define EVIDENCE_TOOL_TIMEOUT_MS 15000

static timeline_outcome probe_outcome(const probe_result *p)
{
    return p->timed_out  ? TL_OUTCOME_TIMED_OUT
           : p->answered ? TL_OUTCOME_ANSWERED
                         : TL_OUTCOME_FAILED;
}

/* One probe-start event per route, all at started_ms (the probes of a round go out together). */
static void record_probe_starts(run_state *s, size_t count, int round, bool recovery,
                                int64_t started_ms)
{
    for (size_t i = 0; i < count; i++) {
        timeline_event ev;
        timeline_event_blank(&ev, TL_PROBE_START);
        ev.t_ms = started_ms;
        ev.route = (int)i;
        ev.round = round;
        ev.recovery = recovery;
        snprintf(ev.detail, sizeof ev.detail, "%s%s %s", recovery ? "recovery " : "",
                 s->o->probes[i].method, s->o->probes[i].path);
        timeline_event_record(&s->r->timeline, &ev);
    }
}

/* One probe-done event per probe: from started_ms to started_ms + its latency. */
static void record_round(run_state *s, const probe_result *results, size_t count, int round,
                         bool recovery, int64_t started_ms)
{
    for (size_t i = 0; i < count; i++) {
        const probe_result *p = &results[i];
        timeline_event ev;
        timeline_event_blank(&ev, TL_PROBE_DONE);
        ev.start_ms = started_ms;
        ev.t_ms = started_ms + p->latency_ms;
        ev.value = (long)p->latency_ms;
        ev.route = (int)i;
        ev.round = round;
        ev.recovery = recovery;
        ev.outcome = probe_outcome(p);
        ev.status = p->answered ? p->status : 0;
        snprintf(ev.detail, sizeof ev.detail, "%sround %d %s %s: %s", recovery ? "recovery " : "",
                 round, p->method, p->path,
                 p->timed_out  ? "timed out"
                 : p->answered ? (p->near_deadline ? "answered, near the deadline" : "answered")
                               : "failed");
        timeline_event_record(&s->r->timeline, &ev);
        if (!recovery)
            s->r->near_deadline += p->near_deadline;
    }
}

/* While the first round's probes are pending, another thread takes the evidence (after at most
 * OBSERVE_DELAY_MS, or as soon as the round is over) and fetches the --collect pages: the
 * verdict then needs nothing more once the round ends, so a stalled verdict costs one deadline
 * and a responsive one the few milliseconds the probes took. */
#define OBSERVE_DELAY_MS 300

typedef struct observer {
    run_state *s;
    pthread_mutex_t lock;
    pthread_cond_t round_over;
    bool done;
    int64_t wake_at_ms;
} observer;

static void *observe_thread(void *arg)
{
    observer *ob = arg;
    platform_set_thread_name("stall-observe");
    pthread_mutex_lock(&ob->lock);
    while (!ob->done) {
        int64_t left = ob->wake_at_ms - clock_monotonic_ms();
        if (left <= 0)
            break;
        struct timespec at;
        clock_deadline_in(&at, left);
        pthread_cond_timedwait(&ob->round_over, &ob->lock, &at);
    }
    pthread_mutex_unlock(&ob->lock);
    run_gather_pipe_figures(ob->s);
    run_gather_evidence(ob->s);
    return NULL;
}

static void *collect_thread(void *arg)
{
    platform_set_thread_name("stall-collect");
    run_collect_pages(arg);
    return NULL;
}

static void round_over(observer *ob)
{
    pthread_mutex_lock(&ob->lock);
    ob->done = true;
    pthread_cond_signal(&ob->round_over);
    pthread_mutex_unlock(&ob->lock);
}

/* One round, with the evidence and the collected pages taken meanwhile when observe is set. */
static void probe_round(run_state *s, long round, bool observe)
{
    const stall_options *o = s->o;
    stall_result *r = s->r;
    size_t per_round = o->probe_count;
    observer ob;
    memset(&ob, 0, sizeof ob);
    ob.s = s;
    long delay = o->deadline_ms / 2 < OBSERVE_DELAY_MS ? o->deadline_ms / 2 : OBSERVE_DELAY_MS;
    ob.wake_at_ms = clock_monotonic_ms() + delay;
    pthread_t observe_id, collect_id;
    bool observing = false, collecting = false;
    if (observe) {
        pthread_mutex_init(&ob.lock, NULL);
        pthread_cond_init(&ob.round_over, NULL);
        observing = pthread_create(&observe_id, NULL, observe_thread, &ob) == 0;
        collecting =
            o->collect_count > 0 && pthread_create(&collect_id, NULL, collect_thread, s) == 0;
    }
    timeline_event_add(&r->timeline, TL_PROBE_ROUND, round, "%zu probe(s), deadline %ld ms",
                       per_round, o->deadline_ms);
    probe_result *results = r->probes + r->probe_count;
    int64_t started = timeline_now(&r->timeline);
    record_probe_starts(s, per_round, (int)round, false, started);
    probes_run_round(r->base_url, o->probes, per_round, &o->headers, o->deadline_ms, (int)round,
                     run_cancel_flag(s), results);
    r->probe_count += per_round;
    r->rounds_run++;
    record_round(s, results, per_round, (int)round, false, started);
    if (observe) {
        round_over(&ob);
        if (observing)
            pthread_join(observe_id, NULL);
        if (collecting)
            pthread_join(collect_id, NULL);
        pthread_cond_destroy(&ob.round_over);
        pthread_mutex_destroy(&ob.lock);
        if (!observing) { /* no thread: the same work, after the round */
            run_gather_pipe_figures(s);
            run_gather_evidence(s);
        }
        if (!collecting)
            run_collect_pages(s);
    }
}

int run_probe_rounds(run_state *s)
{
    const stall_options *o = s->o;
    stall_result *r = s->r;
    size_t per_round = o->probe_count;
    r->probes = calloc(per_round * (size_t)o->rounds, sizeof *r->probes);
    if (!r->probes)
        return run_error(s, "out of memory");
    for (long round = 1; round <= o->rounds && !run_aborted(s); round++) {
        probe_round(s, round, round == 1);
        if (probes_any_timed_out(r->probes, r->probe_count)) {
            /* The verdict is known: a stall. More rounds would each cost a deadline to repeat
             * it; the recovery check confirms it and measures how the server comes back. */
            r->rounds_skipped = o->rounds - round;
            break;
        }
    }
    return 0;
}

#define COLLECT_BODY_CAP (64 * 1024)

/* --collect: fetch the requested pages while the fault lasts (e.g. the logger counters of a
 * server that still answers), concurrently, under the probe deadline. */
void run_collect_pages(run_state *s)
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
    http_batch_run(r->base_url, calls, o->collect_count, run_cancel_flag(s));
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

void run_gather_pipe_figures(run_state *s)
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
        if (p->has_room == 0)
            level += 1; /* full by the kernel's measure beats any level */
        if (level > fullest) {
            fullest = level;
            r->main_pipe = i;
        }
    }
}

void run_gather_evidence(run_state *s)
{
    stall_result *r = s->r;
    run_collect_threads(s, EVIDENCE_SAMPLES, EVIDENCE_INTERVAL_MS, EVIDENCE_TOOL_TIMEOUT_MS,
                        &r->threads);
    thread_shape_apply_baseline(&r->threads, &r->baseline);
    thread_shape_describe(&r->threads, r->shape, sizeof r->shape);
    thread_shape_waits(&r->threads, r->waits, sizeof r->waits);
    timeline_event_add(&r->timeline, TL_EVIDENCE, (long)r->threads.count, "%s", r->shape);
    run_scan_descendants(s);
}

/* Flood requests without an answer past the probe deadline: timed out, or still in flight for
 * longer than a probe may take. */
static long unanswered_requests(run_state *s, flood_snapshot *fs)
{
    flood_get_snapshot(&s->flood, fs);
    long n = fs->fill.timed_out; /* fill requests are bounded by the probe deadline at least */
    if (s->o->trigger_timeout_ms >= s->o->deadline_ms)
        n += fs->triggers.timed_out;
    if (fs->in_flight > 0 && fs->oldest_in_flight_ms > 0 &&
        clock_monotonic_ms() - fs->oldest_in_flight_ms > s->o->deadline_ms)
        n++; /* at least the oldest one; the snapshot does not list them all */
    return n;
}

/* Every probe answered, but a thread is blocked writing the log pipe and flood requests are
 * still out: give them the probes' deadline, counted from their start, before judging them. */
static void wait_for_flood_requests(run_state *s)
{
    flood_snapshot fs;
    for (;;) {
        flood_get_snapshot(&s->flood, &fs);
        if (fs.in_flight == 0 || fs.oldest_in_flight_ms == 0 || run_aborted(s))
            return;
        int64_t age = clock_monotonic_ms() - fs.oldest_in_flight_ms;
        if (age > s->o->deadline_ms)
            return;
        sleep_ms(10);
    }
}

void run_decide_verdict(run_state *s)
{
    stall_result *r = s->r;
    bool thread_source = r->threads.source && strcmp(r->threads.source, "none") != 0;
    bool pipe_full = false;
    for (size_t i = 0; i < r->pipe_count; i++)
        pipe_full = pipe_full || r->pipes[i].full;
    /* requests still out can only decide the verdict with a writer seen, or with the pipe full
     * where no thread can be seen at all */
    bool requests_matter = r->threads.log_writers > 0 || (!thread_source && pipe_full);
    if (requests_matter && probes_count_timed_out(r->probes, r->probe_count) == 0)
        wait_for_flood_requests(s);
    flood_snapshot fs;
    verdict_input in;
    memset(&in, 0, sizeof in);
    in.probes = r->probe_count;
    in.probes_timed_out = probes_count_timed_out(r->probes, r->probe_count);
    in.fault_reached = r->fault.reached;
    in.requests_unanswered = unanswered_requests(s, &fs);
    in.log_writers = r->threads.log_writers;
    in.thread_source = thread_source;
    in.pipe_full = pipe_full;
    r->trigger.unanswered = in.requests_unanswered;
    r->verdict = verdict_decide(&in, r->verdict_basis, sizeof r->verdict_basis);
    r->verdict_ms = timeline_now(&r->timeline);
    r->time_to_verdict_ms = r->verdict_ms - r->trigger_start_ms;
    timeline_event_add(&r->timeline, TL_VERDICT, 0, "%s", r->verdict);
}

void run_check_recovery(run_state *s)
{
    const stall_options *o = s->o;
    stall_result *r = s->r;
    if (run_aborted(s))
        return;
    for (size_t i = 0; i < s->pipe_count; i++) {
        reader_snapshot before;
        reader_get_snapshot(&s->readers[i], &before);
        r->reader_bytes_before_recovery += before.bytes_read;
    }
    r->recovery_snapshot_taken = true;
    flood_snapshot before;
    long unanswered = unanswered_requests(s, &before);
    for (size_t i = 0; i < s->pipe_count; i++)
        if (reader_switch_to_drain(&s->readers[i]) != 0)
            return;
    timeline_event_add(&r->timeline, TL_DRAIN, 0, "every reader drains the pipe now");
    r->recovery_probes = calloc(o->probe_count, sizeof *r->recovery_probes);
    if (!r->recovery_probes)
        return;
    r->recovery_run = true;
    r->recovery_count = o->probe_count;
    int64_t started = timeline_now(&r->timeline);
    record_probe_starts(s, o->probe_count, (int)o->rounds + 1, true, started);
    probes_run_round(r->base_url, o->probes, o->probe_count, &o->headers, o->deadline_ms,
                     (int)o->rounds + 1, run_cancel_flag(s), r->recovery_probes);
    record_round(s, r->recovery_probes, o->probe_count, (int)o->rounds + 1, true, started);
    r->recovered =
        !probes_any_timed_out(r->recovery_probes, r->recovery_count) &&
        probes_count_answered(r->recovery_probes, r->recovery_count) == r->recovery_count;
    if (r->recovered && unanswered > 0 && strcmp(r->verdict, VERDICT_STALLED) == 0) {
        /* the stall was seen on the trigger's route: draining must let those requests finish */
        bool idle = flood_wait_idle(&s->flood, o->deadline_ms);
        flood_snapshot after;
        flood_get_snapshot(&s->flood, &after);
        r->recovered = idle && after.triggers.timed_out + after.fill.timed_out ==
                                   before.triggers.timed_out + before.fill.timed_out;
    }
    for (size_t i = 0; i < s->pipe_count; i++)
        r->pipes[i].pending_after_recovery = log_pipe_pending(&s->pipes[i]);
    timeline_event_add(&r->timeline, TL_RECOVERY, r->recovered, "%s",
                       r->recovered ? "recovered" : "not recovered");
}

void run_decide_cause(run_state *s)
{
    stall_result *r = s->r;
    cause_input in;
    memset(&in, 0, sizeof in);
    in.stalled = strcmp(r->verdict, VERDICT_STALLED) == 0;
    in.inconclusive = strcmp(r->verdict, VERDICT_INCONCLUSIVE) == 0;
    for (size_t i = 0; i < r->pipe_count; i++)
        in.pipe_full = in.pipe_full || r->pipes[i].full;
    in.threads_seen = r->threads.count > 0;
    in.log_writers = r->threads.log_writers;
    in.lock_waiters = r->threads.lock_waiters;
    in.convoy_threads = r->threads.convoy_threads;
    in.idle = r->threads.idle;
    in.recovery_run = r->recovery_run;
    in.recovered = r->recovered;
    in.waits = r->waits;
    r->cause = cause_decide(&in, r->cause_detail, sizeof r->cause_detail);
}

void run_finish_flood(run_state *s)
{
    if (!s->flood_started)
        return;
    stall_result *r = s->r;
    flood_snapshot fs;
    flood_get_snapshot(&s->flood, &fs);
    flood_finish(&s->flood);
    s->flood_started = false;
    trigger_figures *tf = &r->trigger;
    tf->sent = fs.triggers.sent;
    tf->answered = fs.triggers.answered;
    tf->timed_out = fs.triggers.timed_out;
    tf->last_status = fs.last_status;
    tf->last_latency_ms = fs.last_latency_ms;
    tf->last_bytes = fs.last_bytes;
    tf->flood_stopped_because = fs.flood_stopped_because;
    tf->fill = fs.fill;
    snprintf(tf->last_error, sizeof tf->last_error, "%s", fs.last_error);
}
