/* flood.c: the background thread that sends triggers and fill requests; see flood.h.
 *
 * The timeline gets a trigger-sent and a trigger-done event (same number) for the first
 * FLOOD_TIMELINE_TRIGGERS triggers, the last one, and every trigger that got no answer: a long
 * flood must not crowd out the events that matter (the fault, the verdict, the drain). */
#include "flood.h"

#include <stdio.h>
#include <string.h>

#include "platform/platform.h"
#include "util/clock.h"

#define FLOOD_TIMELINE_TRIGGERS 256

static bool all_triggers_sent_locked(const flood *f)
{
    return f->triggers_stopped || f->stats.triggers.sent >= f->config.trigger_count;
}

static void update_triggers_over_locked(flood *f)
{
    const flood_counts *t = &f->stats.triggers;
    bool ended = t->answered + t->timed_out + t->failed >= t->sent;
    f->stats.triggers_over = ended && (all_triggers_sent_locked(f) || f->stop_sending);
}

static flood_slot *free_slot_locked(flood *f)
{
    for (size_t i = 0; i < f->config.concurrency; i++)
        if (!f->slots[i].in_use)
            return &f->slots[i];
    return NULL;
}

static void prepare_call(flood *f, flood_slot *slot, const flood_request *req, bool is_trigger)
{
    http_call *call = &slot->call;
    memset(call, 0, sizeof *call);
    call->method = req->method;
    call->path = req->path;
    call->body = req->body;
    call->body_len = req->body_len;
    call->headers = f->config.headers;
    call->extra_headers = req->extra_headers;
    call->deadline_ms = req->timeout_ms > 0 ? req->timeout_ms : f->config.timeout_ms;
    call->started_ms = clock_monotonic_ms(); /* set here, under the lock the snapshot reads under */
    slot->in_use = true;
    slot->is_trigger = is_trigger;
    slot->number = 0;
}

/* The flood stop rule, asked before every trigger after the first. Caller holds the lock. */
static bool flood_should_stop_locked(flood *f)
{
    if (f->stats.triggers.sent == 0)
        return false;
    if (f->stats.triggers.timed_out > 0) {
        f->stats.flood_stopped_because = "no-answer"; /* the server stopped: more cannot help */
        return true;
    }
    if (f->config.pipe_full && f->config.pipe_full(f->config.pipe_full_ctx)) {
        f->stats.flood_stopped_because = "pipe-full";
        return true;
    }
    return false;
}

static http_call *flood_next(void *ctx)
{
    flood *f = ctx;
    pthread_mutex_lock(&f->lock);
    http_call *out = NULL;
    flood_slot *slot = f->stop_sending ? NULL : free_slot_locked(f);
    long trigger_number = 0;
    bool fill_started = false;
    if (slot && !all_triggers_sent_locked(f)) {
        if (flood_should_stop_locked(f)) {
            f->triggers_stopped = true;
            timeline_event_add(f->config.tl, TL_FLOOD_STOPPED, f->stats.triggers.sent,
                               "%s after %ld trigger(s)", f->stats.flood_stopped_because,
                               f->stats.triggers.sent);
        } else {
            prepare_call(f, slot, &f->config.trigger, true);
            f->stats.triggers.sent++;
            trigger_number = f->stats.triggers.sent;
            slot->number = trigger_number;
            out = &slot->call;
        }
    }
    if (!out && slot && all_triggers_sent_locked(f) && f->config.fill_count > 0 &&
        atomic_load(&f->fill_wanted)) {
        prepare_call(f, slot, &f->config.fill[f->fill_next++ % f->config.fill_count], false);
        f->stats.fill.sent++;
        fill_started = !f->fill_announced;
        f->fill_announced = true;
        out = &slot->call;
    }
    if (out)
        f->stats.in_flight++;
    update_triggers_over_locked(f);
    pthread_mutex_unlock(&f->lock);
    if (trigger_number > 0 &&
        (trigger_number <= FLOOD_TIMELINE_TRIGGERS || trigger_number == f->config.trigger_count))
        timeline_event_add(f->config.tl, TL_TRIGGER_SENT, trigger_number, "%s %s",
                           f->config.trigger.method, f->config.trigger.path);
    if (fill_started)
        timeline_event_add(f->config.tl, TL_FILL_STARTED, 0,
                           "small requests until the fault is in place");
    return out;
}

static void count_outcome(flood_counts *c, const http_call *call)
{
    if (call->answered)
        c->answered++;
    else if (call->timed_out)
        c->timed_out++;
    else
        c->failed++;
}

static void flood_done(void *ctx, http_call *call)
{
    flood *f = ctx;
    flood_slot *slot = (flood_slot *)((char *)call - offsetof(flood_slot, call));
    pthread_mutex_lock(&f->lock);
    bool is_trigger = slot->is_trigger;
    long number = 0;
    if (is_trigger) {
        count_outcome(&f->stats.triggers, call);
        f->stats.last_status = call->status;
        f->stats.last_latency_ms = call->latency_ms;
        f->stats.last_bytes = call->bytes;
        snprintf(f->stats.last_error, sizeof f->stats.last_error, "%s", call->error);
        number = slot->number;
    } else {
        count_outcome(&f->stats.fill, call);
    }
    if (call->answered)
        f->stats.answered_total++;
    if (f->stats.in_flight > 0)
        f->stats.in_flight--;
    slot->in_use = false;
    update_triggers_over_locked(f);
    pthread_mutex_unlock(&f->lock);
    if (is_trigger && f->config.tl &&
        (number <= FLOOD_TIMELINE_TRIGGERS || number == f->config.trigger_count ||
         !call->answered)) {
        timeline_event ev;
        timeline_event_blank(&ev, TL_TRIGGER_DONE);
        ev.t_ms = timeline_now(f->config.tl);
        ev.start_ms = ev.t_ms - call->latency_ms;
        ev.value = call->status;
        ev.round = (int)number;
        ev.outcome = call->answered    ? TL_OUTCOME_ANSWERED
                     : call->timed_out ? TL_OUTCOME_TIMED_OUT
                                       : TL_OUTCOME_FAILED;
        ev.status = call->answered ? call->status : 0;
        snprintf(ev.detail, sizeof ev.detail, "%s after %lld ms%s%.80s",
                 call->answered    ? "answered"
                 : call->timed_out ? "no answer"
                                   : "failed",
                 (long long)call->latency_ms, call->error[0] ? ": " : "", call->error);
        timeline_event_record(f->config.tl, &ev);
    }
}

static bool flood_keep_going(void *ctx, size_t in_flight)
{
    (void)in_flight;
    flood *f = ctx;
    return !atomic_load(&f->cancel);
}

static void *flood_thread(void *arg)
{
    flood *f = arg;
    platform_set_thread_name("stall-flood");
    http_stream stream = {f->config.concurrency, flood_next, flood_done, flood_keep_going, f};
    http_stream_run(f->config.base_url, &stream, &f->cancel);
    return NULL;
}

int flood_start(flood *f, const flood_config *config)
{
    memset(f, 0, sizeof *f);
    f->config = *config;
    if (f->config.concurrency < 1)
        f->config.concurrency = 1;
    if (f->config.concurrency > FLOOD_MAX_CONCURRENCY)
        f->config.concurrency = FLOOD_MAX_CONCURRENCY;
    atomic_store(&f->cancel, false);
    atomic_store(&f->fill_wanted, false);
    if (pthread_mutex_init(&f->lock, NULL) != 0)
        return -1;
    update_triggers_over_locked(f);
    if (pthread_create(&f->thread, NULL, flood_thread, f) != 0) {
        pthread_mutex_destroy(&f->lock);
        return -1;
    }
    f->started = true;
    return 0;
}

void flood_want_fill(flood *f, bool wanted)
{
    if (f->started)
        atomic_store(&f->fill_wanted, wanted);
}

void flood_stop_sending(flood *f)
{
    if (!f->started)
        return;
    pthread_mutex_lock(&f->lock);
    f->stop_sending = true;
    f->stats.sending_stopped = true;
    if (!all_triggers_sent_locked(f) && !f->stats.flood_stopped_because)
        f->stats.flood_stopped_because = "pipe-full"; /* the fault is in place: no more triggers */
    update_triggers_over_locked(f);
    pthread_mutex_unlock(&f->lock);
}

void flood_get_snapshot(flood *f, flood_snapshot *out)
{
    if (!f->started) {
        memset(out, 0, sizeof *out);
        out->triggers_over = true;
        return;
    }
    pthread_mutex_lock(&f->lock);
    *out = f->stats;
    int64_t oldest = 0;
    for (size_t i = 0; i < f->config.concurrency; i++) {
        const flood_slot *s = &f->slots[i];
        if (s->in_use && s->call.started_ms > 0 && (oldest == 0 || s->call.started_ms < oldest))
            oldest = s->call.started_ms;
    }
    out->oldest_in_flight_ms = oldest;
    pthread_mutex_unlock(&f->lock);
}

bool flood_wait_idle(flood *f, long ms)
{
    if (!f->started)
        return true;
    int64_t deadline = clock_monotonic_ms() + ms;
    for (;;) {
        pthread_mutex_lock(&f->lock);
        size_t in_flight = f->stats.in_flight;
        pthread_mutex_unlock(&f->lock);
        if (in_flight == 0)
            return true;
        if (clock_monotonic_ms() >= deadline)
            return false;
        sleep_ms(10);
    }
}

void flood_finish(flood *f)
{
    if (!f->started)
        return;
    atomic_store(&f->cancel, true);
    pthread_join(f->thread, NULL);
    pthread_mutex_destroy(&f->lock);
    f->started = false;
}
