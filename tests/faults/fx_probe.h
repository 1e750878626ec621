/* fx_probe.h: is the proxy still serving? The three probes every case runs while its fault
 * lasts (GET /v1/models with the API key, GET /health, GET /api/admin/user-credentials with
 * the admin key), all at once with one deadline each, and the same spread over N concurrent
 * connections. libcurl multi: one thread drives every request, so a frozen server cannot hold
 * the test past the deadline. */
#ifndef FX_PROBE_H
#define FX_PROBE_H

#include "fx_check.h"
#include "fx_stack.h"

#define FX_PROBE_DEADLINE_MS 2000

typedef struct fx_probe_stats {
    int total;
    int answered;   /* HTTP 200 within the deadline */
    int timed_out;
    long max_ms;
    char first_bad[200];
} fx_probe_stats;

/* n GETs on n separate connections, cycling over the three probe routes, each with
 * deadline_ms; waits for all of them (bounded by deadline_ms plus a margin). */
void fx_probe_many(fx_stack *s, int n, int deadline_ms, fx_probe_stats *out);

/* One round of the three probes at once. Records one check per probe ("<route> answers 200
 * within <deadline>") and returns 1 when all passed. */
int fx_probe_round(fx_run *run, fx_stack *s, const char *when, fx_probe_stats *out);

/* rounds rounds of fx_probe_round (a non-strict run stops after the first failed round, so a
 * frozen blocking build costs one deadline, not several), then one note with the totals. */
int fx_probe_phase(fx_run *run, fx_stack *s, const char *when, int rounds);

#endif
