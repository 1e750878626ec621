/* fault.h: is the fault in place yet? The rule that decides when probing may start.
 *
 * A verdict of "responsive" means nothing unless the server was probed with its log pipe
 * really blocked. A trigger alone does not guarantee that: a server that does not log request
 * bodies leaves the pipe at 1-2 KiB, an async logger's writer may still be asleep when the
 * trigger returns, and a pipe can be full by the kernel's rule (no free buffer slot) thousands
 * of bytes below its capacity. So the run keeps building the fault and feeds this tracker a look
 * at the pipe and the flood every few milliseconds until it says the fault is established:
 *
 *   reader never / scanner:N / slow:B   the pipe is full by the kernel's measure (no free
 *        buffer slot; where the kernel cannot be asked, FIONREAD within the slack of capacity)
 *        at every look for a whole window (--settle-ms), its level did not rise in that window,
 *        and the server was seen not writing: a request has been in flight for a whole window
 *        (the server is stuck), or requests were answered during the window and still nothing
 *        reached the pipe (its writer has stopped). A blocking writer can still merge
 *        small lines into the last page of a pipe with no free slot; the rising level shows it
 *        and the window starts again.
 *   reader close   the read end is closed for good once the triggers are over (writers get
 *        EPIPE: there is nothing more to build).
 *   reader drain   a baseline: no fault is built; established once the triggers are over.
 *
 * The caller also asks it whether fill requests are needed (the triggers are over and the
 * level has stopped rising without the fault in place). Pure logic: no I/O, unit tested. */
#ifndef STALLCHECK_FAULT_H
#define STALLCHECK_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include "options.h"

typedef enum fault_state {
    FAULT_BUILDING,        /* not yet */
    FAULT_PIPE_FULL,       /* reached: the pipe is full and its writer stopped */
    FAULT_READ_END_CLOSED, /* reached: the reader is gone for good */
    FAULT_BASELINE,        /* --reader drain: nothing to build */
    FAULT_NOT_REACHED      /* the bound passed first */
} fault_state;

/* One look at the pipe (the fullest one) and at the flood. */
typedef struct fault_look {
    int64_t now_ms;            /* monotonic */
    long pending;              /* FIONREAD, -1 unknown */
    long capacity;
    int has_room;              /* the kernel: 1 room, 0 no free slot, -1 cannot ask */
    bool requests_expected;    /* a trigger is configured (requests show the writer stopped) */
    bool triggers_over;        /* every trigger has ended */
    long answered_total;       /* flood requests answered so far */
    int64_t oldest_in_flight_ms; /* start of the oldest request in flight, 0 none */
} fault_look;

typedef struct fault_tracker {
    reader_mode reader;
    long window_ms;            /* --settle-ms */
    bool in_window;
    int64_t window_start_ms;
    long window_level;         /* pending at the window's start */
    long window_answered;      /* answered_total at the window's start */
    long last_level;
    int64_t last_rise_ms;      /* when the level last went up (or the tracker started) */
    fault_state state;
} fault_tracker;

/* The fill-request trigger: the level has not risen for this long. */
#define FAULT_FILL_IDLE_MS 50

void fault_tracker_init(fault_tracker *t, reader_mode reader, long window_ms, int64_t now_ms);
/* Full by the kernel's measure (or, where it cannot be asked, by level). */
bool fault_pipe_is_full(long pending, long capacity, int has_room);
/* Feeds one look; returns the state (FAULT_BUILDING until established). */
fault_state fault_tracker_feed(fault_tracker *t, const fault_look *look);
/* Whether fill requests should go out now. */
bool fault_tracker_wants_fill(const fault_tracker *t, const fault_look *look);
/* Marks the bound as passed: FAULT_NOT_REACHED unless already established. */
fault_state fault_tracker_give_up(fault_tracker *t);
bool fault_state_reached(fault_state s);
/* "pipe-full", "read-end-closed", "baseline", "not-reached", "building". */
const char *fault_state_name(fault_state s);

#endif
