/* timeline.h: the one record of what happened during a run, and when.
 *
 * A verdict is only as good as the story behind it: when the trigger went out, when the pipe
 * filled, when the fault counted as established, when each probe round started and ended, when
 * the evidence was taken, when the pipe was drained. Every phase of the run (and the flood
 * thread) appends here instead of keeping its own clock, and the pipe level is sampled here
 * while the fault is being built. Times are milliseconds since the run's origin (just before the
 * child is spawned). The reports read it (JSON "timeline"), and a picture of the run can be drawn
 * from it without re-running anything.
 *
 * Both lists are bounded: past their capacity further entries are counted, not stored.
 * Thread-safe: the flood thread and the main thread append concurrently. */
#ifndef STALLCHECK_TIMELINE_H
#define STALLCHECK_TIMELINE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

typedef enum timeline_kind {
    TL_SPAWNED,           /* the child was started (value: pid) */
    TL_READY,             /* readiness answered (value: attempts) */
    TL_BASELINE,          /* thread snapshot before the trigger (value: threads seen) */
    TL_TRIGGER_SENT,      /* a trigger request went out (value: its number, 1-based) */
    TL_TRIGGER_DONE,      /* ... and came back (value: HTTP status, 0 none; detail: outcome) */
    TL_FILL_STARTED,      /* small requests started to build the fault */
    TL_FLOOD_STOPPED,     /* no more triggers (detail: why) */
    TL_FAULT_REACHED,     /* the fault is in place (value: pending bytes; detail: what held) */
    TL_FAULT_NOT_REACHED, /* --fill-ms passed without it (value: pending bytes) */
    TL_PROBE_ROUND,       /* a probe round started (value: round) */
    TL_PROBE_DONE,        /* one probe ended (value: latency ms; detail: route and outcome) */
    TL_EVIDENCE,          /* thread evidence taken (value: threads) */
    TL_VERDICT,           /* the verdict is known (detail: verdict) */
    TL_DRAIN,             /* the readers switched to draining (recovery) */
    TL_RECOVERY,          /* the recovery probes ended (value: 1 recovered, 0 not) */
    TL_ESCAPED,           /* a descendant outside the child's process group was found (value: pid) */
    TL_CHILD_ENDED,       /* the child (and its group) were ended (detail: how) */
    TL_WATCHDOG,          /* the watchdog or a signal ended the run */
    TL_KIND_COUNT
} timeline_kind;

typedef struct timeline_event {
    int64_t t_ms;
    timeline_kind kind;
    long value;
    char detail[112];
} timeline_event;

/* One look at one pipe. */
typedef struct pipe_observation {
    int64_t t_ms;
    unsigned char pipe;   /* index into the run's pipes */
    signed char has_room; /* the kernel's answer: 1, 0 (no free slot), -1 unknown */
    long pending;         /* FIONREAD, -1 unknown */
} pipe_observation;

#define TIMELINE_MAX_EVENTS 2048
#define TIMELINE_MAX_PIPE 8192

typedef struct timeline {
    pthread_mutex_t lock;
    int64_t origin_ms;        /* clock_monotonic_ms() at t = 0 */
    timeline_event *events;   /* owned */
    size_t event_count;
    unsigned long events_dropped;
    pipe_observation *pipe;   /* owned */
    size_t pipe_count;
    unsigned long pipe_dropped;
} timeline;

/* Sets up an empty timeline whose t = 0 is origin_ms. Returns 0 or -1 (out of memory). */
int timeline_init(timeline *tl, int64_t origin_ms);
void timeline_free(timeline *tl);
/* Milliseconds since the origin. */
int64_t timeline_now(const timeline *tl);
/* Appends an event at the current time. NULL tl is allowed (nothing recorded). */
void timeline_event_add(timeline *tl, timeline_kind kind, long value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Appends a pipe observation at the current time. */
void timeline_pipe_add(timeline *tl, unsigned pipe, long pending, int has_room);
/* "fault-reached", "probe-round", ... */
const char *timeline_kind_name(timeline_kind kind);

#endif
