/* progress.h: one updating status line while a run goes on, for a person at a terminal.
 *
 * A stalled verdict takes seconds (the fault, then one deadline); on a terminal that is long
 * enough to wonder whether stallcheck itself hangs. While the run goes on, a thread rewrites one
 * line ("\r", then the line, then erase-to-end) with the phase read off the timeline: starting,
 * filling the pipe x/64 KiB, probing round n/N, draining, then the verdict. The caller decides
 * whether there is a terminal (main.c: stdout is a TTY, or --progress): nothing is written
 * otherwise, so CI logs and captured output stay clean. progress_describe is the pure part (the
 * words for a moment of the timeline), tested on its own. */
#ifndef STALLCHECK_PROGRESS_H
#define STALLCHECK_PROGRESS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "timeline.h"

typedef struct progress {
    FILE *out;            /* not owned */
    timeline *tl;         /* not owned */
    long rounds;          /* --rounds */
    long deadline_ms;     /* --deadline-ms */
    atomic_long capacity; /* of the pipe, once it is open (0 before) */
    atomic_bool stop;
    pthread_t thread;
    bool running;
} progress;

/* Starts redrawing on out (every 100 ms, and at every timeline event). Returns 0 or -1. */
int progress_start(progress *p, FILE *out, timeline *tl, long rounds, long deadline_ms);
void progress_set_capacity(progress *p, long capacity);
/* Stops the thread; final (may be NULL) replaces the line, followed by a newline; with NULL the
 * line is erased. Safe when never started. */
void progress_stop(progress *p, const char *final);

/* The words for the run as the timeline shows it now (elapsed_ms since the origin), e.g.
 * "filling the pipe 41.2/64 KiB", "probing round 1/3 (0.8 s of the 2.0 s deadline)". */
void progress_describe(const timeline *tl, long rounds, long deadline_ms, long capacity,
                       int64_t elapsed_ms, char *out, size_t size);

#endif
