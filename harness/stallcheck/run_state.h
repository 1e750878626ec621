/* run_state.h: the live state of one run, shared by the run's phase files (private).
 *
 * run.c sets the run up (port, pipes, child, readiness) and sequences the phases;
 * run_fault.c takes the baseline and builds the fault; run_judge.c probes, takes the evidence,
 * decides the verdict, checks recovery and names the cause. None of this is part of the result:
 * what the reports need is copied into stall_result. */
#ifndef STALLCHECK_RUN_STATE_H
#define STALLCHECK_RUN_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "child_process.h"
#include "flood.h"
#include "log_pipe.h"
#include "options.h"
#include "reader.h"
#include "progress.h"
#include "result.h"
#include "timeline_sampler.h"
#include "watchdog.h"

typedef struct run_state {
    const stall_options *o;
    stall_result *r;
    child_process *child;
    const watchdog *dog; /* may be NULL */
    const char *phase;   /* what the run is doing, for error messages */
    log_pipe pipes[2];
    pipe_reader readers[2];
    bool readers_ready[2];
    size_t pipe_count;
    char **envp;
    char *default_body;  /* the default trigger body (owned) */
    char *fill_body;     /* the small fill body (owned) */
    flood_request *fill; /* the fill rotation (owned) */
    size_t fill_count;
    flood flood;
    bool flood_started;
    long unanswered_before_drain; /* flood requests without an answer when the drain began */
    timeline_sampler sampler;     /* the pipe level through the run (from the spawn on) */
    progress progress;            /* the status line on a terminal (not started otherwise) */
} run_state;

/* Records the error (printf-style) and sets the verdict to error. Returns -1. */
int run_error(run_state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* True once the watchdog fired (the run must give up and report). */
bool run_aborted(const run_state *s);
/* The cancel flag for HTTP waits (the watchdog's), may be NULL. */
const atomic_bool *run_cancel_flag(const run_state *s);
/* Looks for descendants outside the group and records the new ones in the timeline. */
void run_scan_descendants(run_state *s);
/* The child's threads (evidence.h) with its log pipes named: the baseline and the stall's
 * evidence alike, `samples` looks interval_ms apart, tools bounded by timeout_ms. */
void run_collect_threads(run_state *s, int samples, int interval_ms, int timeout_ms, evidence *out);

/* run_fault.c */
void run_take_baseline(run_state *s);
/* Sends the trigger(s) and keeps building the fault until it is established or --fill-ms has
 * passed; fills r->fault and r->trigger. Returns 0, or -1 on a setup error. */
int run_establish_fault(run_state *s);

/* run_judge.c */
int run_probe_rounds(run_state *s);
void run_collect_pages(run_state *s);
void run_gather_pipe_figures(run_state *s);
void run_gather_evidence(run_state *s);
void run_decide_verdict(run_state *s);
void run_check_recovery(run_state *s);
void run_decide_cause(run_state *s);
/* Ends the flood (requests in flight are cancelled) and copies its figures into the result. */
void run_finish_flood(run_state *s);

#endif
