/* verdict.h: responsive, stalled or inconclusive, from every piece of evidence.
 *
 *   stalled       a probe missed its deadline; or a trigger (or fill request) got no answer
 *                 within the probe deadline while a thread is blocked writing the log pipe -
 *                 the trigger's route is a route too, even when the probed routes do not log.
 *                 Where there is no thread source at all (the portable build, macOS without
 *                 `sample`), "a thread is blocked writing" cannot be seen: there the unanswered
 *                 request with the pipe full counts, and the recovery check (cause.h) tells the
 *                 pipe's fault from another
 *   inconclusive  every probe answered, but the fault was never established: a pass without
 *                 the fault proves nothing (exit status 3; CI must treat it as a failure)
 *   responsive    every probe answered with the fault in place
 * ("error" - the run could not reach a verdict - is decided by the run itself.) */
#ifndef STALLCHECK_VERDICT_H
#define STALLCHECK_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#define VERDICT_RESPONSIVE "responsive"
#define VERDICT_STALLED "stalled"
#define VERDICT_INCONCLUSIVE "inconclusive"
#define VERDICT_ERROR "error"

typedef struct verdict_input {
    size_t probes_timed_out; /* probes that missed their deadline */
    size_t probes;           /* probes run */
    bool fault_reached;
    long requests_unanswered; /* triggers / fill requests without an answer past the probe deadline
                               */
    size_t log_writers;       /* threads blocked writing the log pipe */
    bool thread_source;       /* thread evidence exists here (evidence source not "none") */
    bool pipe_full;           /* some log pipe is full (kernel or level) at evidence time */
} verdict_input;

/* Returns one of the VERDICT_* strings (never error) and what it rests on, in words. */
const char *verdict_decide(const verdict_input *in, char *basis, size_t basis_size);

#endif
