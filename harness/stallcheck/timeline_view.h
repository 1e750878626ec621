/* timeline_view.h: what a picture of one run shows, built from a run or from its JSON report.
 *
 * The SVG writer (timeline_svg.h) draws views, never results: so the picture stallcheck draws at
 * the end of a run (--timeline) and the one stallcheck-compare draws later from the run's --json
 * report are built by the same code from the same facts, and come out the same. A view holds
 * the pipe level samples of one pipe (the fullest) against its capacity, the reader's state,
 * one bar per probe (on the lane of its route) and per trigger request, the markers (trigger
 * sent, fault established, verdict, drain, recovery), and the verdict and cause for the title.
 * Both builders feed the same calls (timeline_view_add_event, timeline_view_add_sample,
 * timeline_view_finish) in the order of the timeline. */
#ifndef STALLCHECK_TIMELINE_VIEW_H
#define STALLCHECK_TIMELINE_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "timeline.h"

#define TV_MAX_ROUTES 16
#define TV_MAX_MARKERS 32
/* The lane of trigger requests (bars whose lane is not a route). */
#define TV_LANE_TRIGGER (-1)

typedef struct tv_sample {
    int64_t t_ms;
    long pending;         /* -1 unknown */
    signed char has_room; /* 1, 0 (no free slot: full by the kernel's measure), -1 unknown */
    unsigned char reader; /* timeline_reader_state */
} tv_sample;

typedef struct tv_bar {
    int64_t start_ms;
    int64_t end_ms;
    int lane; /* route index, or TV_LANE_TRIGGER */
    int round;
    bool recovery;            /* a probe of the recovery check, after the drain */
    timeline_outcome outcome; /* TL_OUTCOME_NONE: still open when the run ended */
    long latency_ms;
    long status;
} tv_bar;

typedef enum tv_marker_kind {
    TV_MARK_READY,
    TV_MARK_TRIGGER,
    TV_MARK_FAULT,
    TV_MARK_FAULT_NOT_REACHED,
    TV_MARK_VERDICT,
    TV_MARK_DRAIN,
    TV_MARK_RECOVERED,
    TV_MARK_NOT_RECOVERED,
    TV_MARK_WATCHDOG
} tv_marker_kind;

typedef struct tv_marker {
    int64_t t_ms;
    tv_marker_kind kind;
    char label[64];
} tv_marker;

typedef struct timeline_view {
    char label[96];    /* the run's name in the picture */
    char command[200]; /* the program (and the one after "--"), never its arguments */
    char verdict[24];  /* responsive | stalled | inconclusive | error */
    char cause[48];    /* "" when none */
    char fault[64];    /* what held when probed: "full 62071/65536", "NOT reached ..." */
    char pipe_name[24];
    long capacity; /* of the pipe drawn, 0 unknown */
    long deadline_ms;
    long time_to_verdict_ms; /* -1 unknown */
    int recovered;           /* 1, 0, -1 unknown (not run) */
    int64_t end_ms;          /* the last moment seen */
    char trigger[96];        /* "POST /v1/messages", "" when none was sent */
    char routes[TV_MAX_ROUTES][96];
    size_t route_count;
    tv_sample *samples; /* owned */
    size_t sample_count, sample_cap;
    tv_bar *bars; /* owned */
    size_t bar_count, bar_cap;
    tv_marker markers[TV_MAX_MARKERS];
    size_t marker_count;
    unsigned long triggers_sent, triggers_done; /* as far as the timeline recorded them */
    int64_t first_trigger_ms, last_trigger_ms;  /* -1 none */
} timeline_view;

/* One timeline event, in the fields both sources have. */
typedef struct tv_event {
    timeline_kind kind;
    int64_t t_ms;
    int64_t start_ms; /* -1 none */
    long value;
    int route;
    int round;
    bool recovery;
    timeline_outcome outcome;
    long status;
    const char *detail; /* may be NULL */
} tv_event;

/* An empty view. Returns 0 or -1 (out of memory). */
int timeline_view_init(timeline_view *v);
void timeline_view_free(timeline_view *v);
/* Adds a route lane ("GET /v1/models"); routes past TV_MAX_ROUTES are dropped. */
void timeline_view_add_route(timeline_view *v, const char *route);
/* Adds one event (in timeline order). Returns 0 or -1 (out of memory). */
int timeline_view_add_event(timeline_view *v, const tv_event *ev);
/* Adds one sample of the drawn pipe. Returns 0 or -1 (out of memory). */
int timeline_view_add_sample(timeline_view *v, int64_t t_ms, long pending, int has_room,
                             timeline_reader_state reader);
/* Sets what the title says. cause and fault may be NULL. */
void timeline_view_set_outcome(timeline_view *v, const char *verdict, const char *cause,
                               const char *fault, long time_to_verdict_ms, int recovered);
/* The label and the command from the child's argv (label NULL: argv[0]'s base name). Only the
 * program and, for a wrapper, the program after "--" are kept: arguments may hold secrets. */
void timeline_view_set_command(timeline_view *v, const char *label, const char *const *argv,
                               size_t argc);
/* Closes what is still open (probes and triggers without an end) at the last moment seen. */
void timeline_view_finish(timeline_view *v);

#endif
