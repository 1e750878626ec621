/* fault.c: the fault-establishment rule; see fault.h. */
#include "fault.h"

#include <string.h>

#include "log_pipe.h"

void fault_tracker_init(fault_tracker *t, reader_mode reader, long window_ms, int64_t now_ms)
{
    memset(t, 0, sizeof *t);
    t->reader = reader;
    t->window_ms = window_ms;
    t->last_level = -1;
    t->last_rise_ms = now_ms;
    t->state = FAULT_BUILDING;
}

bool fault_pipe_is_full(long pending, long capacity, int has_room)
{
    if (has_room == 0)
        return true;
    if (has_room < 0)
        return log_pipe_level_is_full(pending, capacity);
    return false;
}

static void start_window(fault_tracker *t, const fault_look *look)
{
    t->in_window = true;
    t->window_start_ms = look->now_ms;
    t->window_level = look->pending;
    t->window_answered = look->answered_total;
}

/* The server was seen not writing during the window: stuck, or answering without writing. */
static bool writer_seen_stopped(const fault_tracker *t, const fault_look *look)
{
    if (!look->requests_expected)
        return true; /* no trigger: only the server's own writing could change anything */
    if (look->oldest_in_flight_ms > 0 && look->now_ms - look->oldest_in_flight_ms >= t->window_ms)
        return true; /* a request has been waiting for a whole window: the server is stuck */
    return look->answered_total - t->window_answered >= 2;
}

fault_state fault_tracker_feed(fault_tracker *t, const fault_look *look)
{
    if (t->state != FAULT_BUILDING)
        return t->state;
    if (look->pending > t->last_level) {
        t->last_rise_ms = look->now_ms;
    }
    t->last_level = look->pending;

    switch (t->reader) {
    case READER_CLOSE:
        if (look->triggers_over)
            t->state = FAULT_READ_END_CLOSED;
        return t->state;
    case READER_DRAIN:
        if (look->triggers_over)
            t->state = FAULT_BASELINE;
        return t->state;
    case READER_NEVER:
    case READER_SCANNER:
    case READER_SLOW:
        break;
    }

    bool full = fault_pipe_is_full(look->pending, look->capacity, look->has_room);
    if (!full) {
        t->in_window = false;
        return t->state;
    }
    if (!t->in_window || look->pending > t->window_level) {
        start_window(t, look); /* the level rose: a writer got through; watch again from here */
        return t->state;
    }
    if (look->now_ms - t->window_start_ms >= t->window_ms && writer_seen_stopped(t, look))
        t->state = FAULT_PIPE_FULL;
    return t->state;
}

bool fault_tracker_wants_fill(const fault_tracker *t, const fault_look *look)
{
    if (t->state != FAULT_BUILDING || !look->triggers_over)
        return false;
    if (t->reader == READER_CLOSE || t->reader == READER_DRAIN)
        return false;
    /* Still rising: the server's own writer is at work; let it. Otherwise (or once the pipe is
     * full and requests must show whether its writer stopped) send small requests. */
    if (t->in_window)
        return true;
    return look->now_ms - t->last_rise_ms >= FAULT_FILL_IDLE_MS;
}

fault_state fault_tracker_give_up(fault_tracker *t)
{
    if (t->state == FAULT_BUILDING)
        t->state = FAULT_NOT_REACHED;
    return t->state;
}

bool fault_state_reached(fault_state s)
{
    return s == FAULT_PIPE_FULL || s == FAULT_READ_END_CLOSED || s == FAULT_BASELINE;
}

const char *fault_state_name(fault_state s)
{
    switch (s) {
    case FAULT_BUILDING: return "building";
    case FAULT_PIPE_FULL: return "pipe-full";
    case FAULT_READ_END_CLOSED: return "read-end-closed";
    case FAULT_BASELINE: return "baseline";
    case FAULT_NOT_REACHED: return "not-reached";
    }
    return "?";
}
