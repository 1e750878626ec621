/* run.h: one stallcheck run, phase by phase.
 *
 * spawn -> readiness -> baseline thread snapshot -> trigger (background) -> build the fault
 * until it is established or --fill-ms passes -> probe rounds -> thread evidence -> verdict ->
 * recovery (drain, probe again) -> cause -> kill and reap the group and every descendant.
 * Every phase is bounded and gives up when the watchdog fires; a setup failure ends the run with
 * verdict "error" and exit status 2 but still ends the child and fills in what is known, so the
 * reports can say what happened. */
#ifndef STALLCHECK_RUN_H
#define STALLCHECK_RUN_H

#include <stdio.h>

#include "child_process.h"
#include "options.h"
#include "result.h"
#include "watchdog.h"

/* Runs the whole check. child is shared with the watchdog (dog, may be NULL), whose flag every
 * wait watches. progress_out (may be NULL) gets the live status line (progress.h): the caller
 * passes it only for a terminal. Returns the exit status (0, 1, 2, 3); r is filled in either way
 * and must be released with run_result_free. */
int run_stallcheck(const stall_options *o, child_process *child, const watchdog *dog,
                   FILE *progress_out, stall_result *r);
void run_result_free(stall_result *r);

#endif
