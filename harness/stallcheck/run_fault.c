/* run_fault.c: the baseline snapshot, the trigger, and building the fault until it holds.
 *
 * After the trigger the run keeps the fault building - waiting for the server's own log writer,
 * letting the flood send more triggers, then small fill requests - and looks at every pipe
 * every PIPE_POLL_MS until the fault tracker (fault.h) says the fault is established or
 * --fill-ms has passed. What held at that moment is what the probes ran against; it is kept in
 * r->fault and said in every report. See run_state.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"
#include "run_state.h"
#include "trigger.h"
#include "util/clock.h"

/* How often the pipes are looked at while the fault is being built. */
#define PIPE_POLL_MS 10
/* Requests of the flood in flight at once: the pipe fills in a fraction of the time one request
 * at a time takes, and a request hung inside the server does not hold the others up. */
#define FLOOD_CONCURRENCY 8
/* The baseline snapshot: looks per thread and the spacing between them. */
#define BASELINE_SAMPLES 2
#define BASELINE_INTERVAL_MS 20

void run_take_baseline(run_state *s)
{
    stall_result *r = s->r;
    if (!evidence_baseline_is_cheap())
        return; /* macOS: one `sample` takes a second; roles come from the kind of wait there */
    run_collect_threads(s, BASELINE_SAMPLES, BASELINE_INTERVAL_MS, 5000, &r->baseline);
    timeline_event_add(&r->timeline, TL_BASELINE, (long)r->baseline.count,
                       "%zu thread(s), %zu in futex waits", r->baseline.count,
                       r->baseline.lock_waiters);
}

/* The flood stop rule: full by the kernel's measure (no free slot), or by level where the kernel
 * cannot be asked. */
static bool any_pipe_full(void *ctx)
{
    run_state *s = ctx;
    for (size_t i = 0; i < s->pipe_count; i++)
        if (fault_pipe_is_full(log_pipe_pending(&s->pipes[i]), s->pipes[i].capacity,
                               log_pipe_has_room(&s->pipes[i])))
            return true;
    return false;
}

/* The trigger body, and the fill rotation: the trigger with a small body, then every probe. */
static int prepare_requests(run_state *s, flood_request *trigger)
{
    const stall_options *o = s->o;
    memset(trigger, 0, sizeof *trigger);
    trigger->method = o->trigger.method;
    trigger->path = o->trigger.path;
    trigger->extra_headers = &o->trigger_headers;
    bool has_body = strcmp(o->trigger.method, "GET") != 0 && strcmp(o->trigger.method, "HEAD") != 0;
    const char *small_body = NULL;
    size_t small_len = 0;
    if (o->trigger_body) {
        trigger->body = o->trigger_body;
        trigger->body_len = o->trigger_body_len;
        small_body = o->trigger_body;
        small_len = o->trigger_body_len;
    } else if (has_body) {
        s->default_body = trigger_default_body(o->trigger_bytes, &trigger->body_len);
        s->fill_body = trigger_default_body(TRIGGER_FILL_TEXT_BYTES, &small_len);
        if (!s->default_body || !s->fill_body)
            return run_error(s, "out of memory building the trigger body");
        trigger->body = s->default_body;
        small_body = s->fill_body;
    }
    s->fill = calloc(1 + o->probe_count, sizeof *s->fill);
    if (!s->fill)
        return run_error(s, "out of memory");
    /* A fill request is held to the probes' deadline at least: one that gets no answer is
     * evidence of a stall (verdict.h), so it must have had the time a probe has. */
    long fill_timeout =
        o->trigger_timeout_ms > o->deadline_ms ? o->trigger_timeout_ms : o->deadline_ms;
    s->fill[0] = *trigger;
    s->fill[0].body = small_body;
    s->fill[0].body_len = small_len;
    s->fill[0].timeout_ms = fill_timeout;
    for (size_t i = 0; i < o->probe_count; i++) {
        s->fill[1 + i].method = o->probes[i].method;
        s->fill[1 + i].path = o->probes[i].path;
        s->fill[1 + i].timeout_ms = fill_timeout;
    }
    s->fill_count = 1 + o->probe_count;
    return 0;
}

static int start_flood(run_state *s)
{
    const stall_options *o = s->o;
    stall_result *r = s->r;
    flood_request trigger;
    if (prepare_requests(s, &trigger) != 0)
        return -1;
    r->trigger.body_bytes = trigger.body_len;
    flood_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.base_url = r->base_url;
    cfg.headers = &o->headers;
    cfg.timeout_ms = o->trigger_timeout_ms;
    cfg.concurrency = FLOOD_CONCURRENCY;
    cfg.trigger = trigger;
    cfg.trigger_count = o->flood;
    cfg.fill = s->fill;
    cfg.fill_count = s->fill_count;
    cfg.pipe_full = any_pipe_full;
    cfg.pipe_full_ctx = s;
    cfg.tl = &r->timeline;
    if (flood_start(&s->flood, &cfg) != 0)
        return run_error(s, "cannot start the trigger thread");
    s->flood_started = true;
    return 0;
}

/* The reader's state in words, and whether it will never read again. */
static bool describe_reader(run_state *s, char *out, size_t size)
{
    const stall_options *o = s->o;
    reader_snapshot snap;
    memset(&snap, 0, sizeof snap);
    unsigned long long bytes = 0;
    bool stopped = false;
    for (size_t i = 0; i < s->pipe_count; i++) {
        reader_snapshot one;
        reader_get_snapshot(&s->readers[i], &one);
        bytes += one.bytes_read;
        if (one.scanner_stopped) {
            stopped = true;
            snap = one;
        }
    }
    switch (o->reader) {
    case READER_NEVER:
        snprintf(out, size, "nobody reads the pipe");
        return true;
    case READER_CLOSE:
        snprintf(out, size, "read end closed at start (writers get EPIPE)");
        return true;
    case READER_DRAIN:
        snprintf(out, size, "draining (%llu bytes read): a baseline, no fault is built", bytes);
        return false;
    case READER_SLOW:
        snprintf(out, size, "slow reader at %ld bytes/s, %llu bytes read", o->reader_arg, bytes);
        return false;
    case READER_SCANNER:
        if (stopped)
            snprintf(out, size,
                     "scanner stopped for good at a line over %ld bytes, after %llu bytes",
                     o->reader_arg, bytes);
        else
            snprintf(out, size, "scanner still reading (%llu bytes, no line over %ld bytes yet)",
                     bytes, o->reader_arg);
        return stopped;
    }
    return false;
}

/* What held when the probes started: r->fault, in figures and in words. */
static void record_fault(run_state *s, fault_state state, size_t pipe, int64_t started_ms)
{
    stall_result *r = s->r;
    const stall_options *o = s->o;
    fault_figures *f = &r->fault;
    f->state = state;
    f->reached = fault_state_reached(state);
    f->established_ms = clock_monotonic_ms() - started_ms;
    f->pipe = pipe;
    f->pending = log_pipe_pending(&s->pipes[pipe]);
    f->capacity = s->pipes[pipe].capacity;
    f->has_room = log_pipe_has_room(&s->pipes[pipe]);
    f->full = fault_pipe_is_full(f->pending, f->capacity, f->has_room);
    f->reader_stopped = describe_reader(s, f->reader, sizeof f->reader);
    bool by_slots = f->has_room == 0 && !log_pipe_level_is_full(f->pending, f->capacity);
    const char *stopped =
        o->reader == READER_SCANNER && f->reader_stopped ? " (reader stopped)" : "";
    switch (state) {
    case FAULT_PIPE_FULL:
        snprintf(f->summary, sizeof f->summary, "%s %ld/%ld%s", by_slots ? "full by slots" : "full",
                 f->pending, f->capacity, stopped);
        snprintf(
            f->detail, sizeof f->detail,
            "established after %lld ms: the pipe is full by the kernel's measure (%s), %ld of %ld "
            "bytes, and its level stopped rising for %ld ms while the server was not writing; %s",
            (long long)f->established_ms,
            f->has_room == 0 ? "no free buffer slot" : "FIONREAD within the slack of capacity",
            f->pending, f->capacity, o->settle_ms, f->reader);
        break;
    case FAULT_READ_END_CLOSED:
        snprintf(f->summary, sizeof f->summary, "read end closed");
        snprintf(f->detail, sizeof f->detail,
                 "established after %lld ms: the reader is gone for good (%s)",
                 (long long)f->established_ms, f->reader);
        break;
    case FAULT_BASELINE:
        snprintf(f->summary, sizeof f->summary, "baseline (reader drain)");
        snprintf(f->detail, sizeof f->detail, "no fault is built with --reader drain: %s",
                 f->reader);
        break;
    case FAULT_BUILDING:
    case FAULT_NOT_REACHED:
        f->state = FAULT_NOT_REACHED;
        snprintf(f->summary, sizeof f->summary, "NOT reached %ld/%ld%s", f->pending, f->capacity,
                 stopped);
        snprintf(
            f->detail, sizeof f->detail,
            "not established within --fill-ms %ld: the pipe held %ld of %ld bytes%s; %s. Probes "
            "that answer now prove nothing: the verdict is inconclusive unless they stall, and CI "
            "must treat inconclusive as a failure",
            o->fill_ms, f->pending, f->capacity, f->has_room == 1 ? " with free buffer slots" : "",
            f->reader);
        break;
    }
}

/* Index of the pipe to report: one the tracker found the fault in, else the fullest by level. */
static size_t fullest_pipe(run_state *s, const fault_tracker *trackers)
{
    size_t best = 0;
    double best_level = -1;
    for (size_t i = 0; i < s->pipe_count; i++) {
        if (fault_state_reached(trackers[i].state))
            return i;
        long pending = log_pipe_pending(&s->pipes[i]);
        double level =
            s->pipes[i].capacity > 0 ? (double)pending / (double)s->pipes[i].capacity : 0;
        if (level > best_level) {
            best_level = level;
            best = i;
        }
    }
    return best;
}

int run_establish_fault(run_state *s)
{
    const stall_options *o = s->o;
    stall_result *r = s->r;
    trigger_figures *tf = &r->trigger;
    tf->enabled = o->trigger_enabled;
    tf->method = o->trigger.method;
    tf->path = o->trigger.path;
    tf->flood = o->flood;
    int64_t start = clock_monotonic_ms();
    r->trigger_start_ms = timeline_now(&r->timeline);
    if (o->trigger_enabled && start_flood(s) != 0)
        return -1;

    fault_tracker trackers[2];
    for (size_t i = 0; i < s->pipe_count; i++)
        fault_tracker_init(&trackers[i], o->reader, o->settle_ms, start);
    int64_t bound = start + o->fill_ms;
    fault_state state = FAULT_BUILDING;
    bool fill_on = false;
    for (;;) {
        flood_snapshot fs;
        flood_get_snapshot(&s->flood, &fs);
        int64_t now = clock_monotonic_ms();
        for (size_t i = 0; i < s->pipe_count && !fault_state_reached(state); i++) {
            fault_look look;
            memset(&look, 0, sizeof look);
            look.now_ms = now;
            look.pending = log_pipe_pending(&s->pipes[i]);
            look.capacity = s->pipes[i].capacity;
            look.has_room = log_pipe_has_room(&s->pipes[i]);
            look.requests_expected = o->trigger_enabled;
            look.triggers_over = fs.triggers_over;
            look.answered_total = fs.answered_total;
            look.oldest_in_flight_ms = fs.oldest_in_flight_ms;
            state = fault_tracker_feed(&trackers[i], &look);
            if (!fill_on && fault_tracker_wants_fill(&trackers[i], &look)) {
                fill_on = true;
                flood_want_fill(&s->flood, true);
            }
        }
        if (fault_state_reached(state) || run_aborted(s) || child_has_exited(s->child))
            break;
        if (now >= bound) {
            state = FAULT_NOT_REACHED;
            break;
        }
        sleep_ms(PIPE_POLL_MS);
    }
    flood_want_fill(&s->flood, false);
    flood_stop_sending(&s->flood);

    size_t pipe = fullest_pipe(s, trackers);
    record_fault(s, state, pipe, start);
    const fault_figures *f = &r->fault;
    if (f->reached)
        timeline_event_add(&r->timeline, TL_FAULT_REACHED, f->pending, "%s", f->summary);
    else
        timeline_event_add(&r->timeline, TL_FAULT_NOT_REACHED, f->pending, "%s", f->summary);
    tf->wait_ms = clock_monotonic_ms() - start;
    tf->probing_started_because =
        !o->trigger_enabled ? (f->reached ? "no-trigger, fault-reached" : "no-trigger, fill-bound")
        : f->reached        ? "fault-reached"
                            : "fill-bound";
    for (size_t i = 0; i < s->pipe_count; i++)
        r->pipes[i].pending_after_trigger = log_pipe_pending(&s->pipes[i]);
    return 0;
}
