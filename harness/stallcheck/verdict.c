/* verdict.c: the verdict rule; see verdict.h. */
#include "verdict.h"

#include <stdio.h>

const char *verdict_decide(const verdict_input *in, char *basis, size_t basis_size)
{
    if (in->probes_timed_out > 0) {
        snprintf(basis, basis_size, "%zu of %zu probe(s) missed their deadline",
                 in->probes_timed_out, in->probes);
        return VERDICT_STALLED;
    }
    if (in->requests_unanswered > 0 && in->log_writers > 0) {
        snprintf(
            basis, basis_size,
            "every probe answered, but %ld trigger/fill request(s) got no answer within the probe "
            "deadline while %zu thread(s) are blocked writing the log pipe: the trigger's route "
            "stalled",
            in->requests_unanswered, in->log_writers);
        return VERDICT_STALLED;
    }
    if (in->requests_unanswered > 0 && !in->thread_source && in->pipe_full) {
        snprintf(basis, basis_size,
                 "every probe answered, but %ld trigger/fill request(s) got no answer within the "
                 "probe deadline while the log pipe is full (no thread source here to see the "
                 "writer): the trigger's route stalled",
                 in->requests_unanswered);
        return VERDICT_STALLED;
    }
    if (!in->fault_reached) {
        snprintf(
            basis, basis_size,
            "every probe answered, but the fault was not in place when they ran: inconclusive");
        return VERDICT_INCONCLUSIVE;
    }
    snprintf(basis, basis_size, "every probe answered within its deadline with the fault in place");
    return VERDICT_RESPONSIVE;
}
