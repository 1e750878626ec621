/* run.h: one stallcheck run, phase by phase.
 *
 * spawn -> readiness -> trigger (background) -> wait for a full pipe -> probe rounds ->
 * thread evidence -> cause -> recovery (drain, probe again) -> kill and reap the group.
 * Every phase is bounded; a setup failure ends the run with verdict "error" and exit status 2
 * but still ends the child and fills in what is known, so the reports can say what happened. */
#ifndef STALLCHECK_RUN_H
#define STALLCHECK_RUN_H

#include "options.h"
#include "result.h"
#include "child_process.h"

/* Runs the whole check. child is shared with the watchdog. Returns the exit status (0, 1, 2);
 * r is filled in either way and must be released with run_result_free. */
int run_stallcheck(const stall_options *o, child_process *child, stall_result *r);
void run_result_free(stall_result *r);

#endif
