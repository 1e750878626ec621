/* timeline.h: the one record of what happened during a run, and when.
 *
 * A verdict is only as good as the story behind it: when the trigger went out, when the pipe
 * filled, when the fault counted as established, when each probe started and ended, when the
 * evidence was taken, when the pipe was drained. Every phase of the run (and the flood thread)
 * appends here instead of keeping its own clock, and the sampler (timeline_sampler.h) records
 * the pipe level and the reader's state here through the whole run. Times are milliseconds
 * since the run's origin, the moment the child is spawned. The reports read it (JSON
 * "timeline"), and the picture of the run (timeline_svg.h) is drawn from it without re-running
 * anything.
 *
 * Both lists are bounded. Events past their capacity are counted, not stored. Pipe rows past
 * theirs thin the stored rows (every second one is dropped and counted), so the end of a long
 * run - the drain, the recovery - is never lost, only the resolution of its middle.
 * Thread-safe: the flood thread, the sampler and the main thread append concurrently. */
#ifndef STALLCHECK_TIMELINE_H
#define STALLCHECK_TIMELINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum timeline_kind {
    TL_SPAWNED,           /* the child was started (value: pid) */
    TL_READY,             /* readiness answered (value: attempts) */
    TL_BASELINE,          /* thread snapshot before the trigger (value: threads seen) */
    TL_TRIGGER_SENT,      /* a trigger request went out (value: its number, 1-based) */
    TL_TRIGGER_DONE,      /* ... and ended (value: HTTP status, 0 none; start_ms, outcome) */
    TL_FILL_STARTED,      /* small requests started to build the fault */
    TL_FLOOD_STOPPED,     /* no more triggers (detail: why) */
    TL_FAULT_REACHED,     /* the fault is in place (value: pending bytes; detail: what held) */
    TL_FAULT_NOT_REACHED, /* --fill-ms passed without it (value: pending bytes) */
    TL_PROBE_ROUND,       /* a probe round started (value: round) */
    TL_PROBE_START,       /* one probe went out (route, round, recovery) */
    TL_PROBE_DONE,        /* one probe ended (value: latency ms; start_ms, route, outcome) */
    TL_EVIDENCE,          /* thread evidence taken (value: threads) */
    TL_VERDICT,           /* the verdict is known (detail: verdict) */
    TL_DRAIN,             /* the readers switched to draining (recovery) */
    TL_RECOVERY,          /* the recovery probes ended (value: 1 recovered, 0 not) */
    TL_ESCAPED,     /* a descendant outside the child's process group was found (value: pid) */
    TL_CHILD_ENDED, /* the child (and its group) were ended (detail: how) */
    TL_WATCHDOG,    /* the watchdog or a signal ended the run */
    TL_KIND_COUNT
} timeline_kind;

/* How a request ended (probe-done, trigger-done). */
typedef enum timeline_outcome {
    TL_OUTCOME_NONE,      /* not a request event */
    TL_OUTCOME_ANSWERED,  /* an HTTP answer within the deadline */
    TL_OUTCOME_TIMED_OUT, /* no complete answer within the deadline */
    TL_OUTCOME_FAILED     /* refused, reset, cancelled */
} timeline_outcome;

typedef struct timeline_event {
    int64_t t_ms;     /* when it happened; for an interval (probe-done, trigger-done), its end */
    int64_t start_ms; /* an interval's start, -1 for an instant */
    timeline_kind kind;
    long value;
    int route;     /* probe events: index of the route in --probe order, -1 otherwise */
    int round;     /* probe events: the round, 1-based */
    bool recovery; /* probe events of the recovery check (after the drain) */
    timeline_outcome outcome;
    long status; /* HTTP status of a request event, 0 none */
    char detail[112];
} timeline_event;

/* What the reader of a pipe was doing at a sample. */
typedef enum timeline_reader_state {
    TL_READER_UNKNOWN,
    TL_READER_NONE,     /* nobody reads the pipe (--reader never) */
    TL_READER_READING,  /* a reader is reading (scanner still reading, slow) */
    TL_READER_STOPPED,  /* the reader stopped for good (scanner at its line limit) */
    TL_READER_CLOSED,   /* the read end is closed */
    TL_READER_DRAINING, /* everything is read (--reader drain, or the recovery drain) */
    TL_READER_STATE_COUNT
} timeline_reader_state;

/* One look at one pipe. */
typedef struct pipe_observation {
    int64_t t_ms;
    unsigned char pipe;              /* index into the run's pipes */
    signed char has_room;            /* the kernel's answer: 1, 0 (no free slot), -1 unknown */
    unsigned char reader;            /* timeline_reader_state */
    long pending;                    /* FIONREAD, -1 unknown */
    unsigned long long reader_bytes; /* bytes the reader had read by then */
} pipe_observation;

#define TIMELINE_MAX_EVENTS 2048
#define TIMELINE_MAX_PIPE 8192

typedef struct timeline {
    pthread_mutex_t lock;
    pthread_cond_t changed; /* broadcast at every event: the sampler looks at once */
    unsigned long event_seq;
    _Atomic int64_t origin_ms; /* clock_monotonic_ms() at t = 0 (moved at the spawn, while the
                                  status line may already read the clock) */
    timeline_event *events;    /* owned */
    size_t event_count;
    unsigned long events_dropped;
    pipe_observation *pipe; /* owned */
    size_t pipe_count;
    unsigned long pipe_dropped; /* rows thinned out to keep the whole run */
} timeline;

/* Sets up an empty timeline whose t = 0 is origin_ms. Returns 0 or -1 (out of memory). */
int timeline_init(timeline *tl, int64_t origin_ms);
void timeline_free(timeline *tl);
/* Moves t = 0 (before anything is recorded: the run sets it at the child's spawn). */
void timeline_set_origin(timeline *tl, int64_t origin_ms);
/* Milliseconds since the origin. */
int64_t timeline_now(const timeline *tl);
/* Appends an event at the current time. NULL tl is allowed (nothing recorded). */
void timeline_event_add(timeline *tl, timeline_kind kind, long value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* An event with no time yet (t_ms -1: now), no interval, no route, no outcome. */
void timeline_event_blank(timeline_event *ev, timeline_kind kind);
/* Appends a copy of ev; t_ms < 0 means now. NULL tl is allowed. */
void timeline_event_record(timeline *tl, const timeline_event *ev);
/* Appends a pipe observation at the current time. */
void timeline_pipe_add(timeline *tl, unsigned pipe, long pending, int has_room,
                       timeline_reader_state reader, unsigned long long reader_bytes);
/* Waits up to ms for an event after *seq (updated). True when one came. */
bool timeline_wait_event(timeline *tl, unsigned long *seq, long ms);
/* Wakes every timeline_wait_event without recording anything. */
void timeline_poke(timeline *tl);
/* "fault-reached", "probe-round", ... and back (TL_KIND_COUNT when unknown). */
const char *timeline_kind_name(timeline_kind kind);
timeline_kind timeline_kind_from_name(const char *name);
/* "answered", "timed-out", "failed", NULL for none; and back. */
const char *timeline_outcome_name(timeline_outcome outcome);
timeline_outcome timeline_outcome_from_name(const char *name);
/* "none", "reading", "stopped", "closed", "draining", "unknown"; and back. */
const char *timeline_reader_name(timeline_reader_state state);
timeline_reader_state timeline_reader_from_name(const char *name);

#endif
