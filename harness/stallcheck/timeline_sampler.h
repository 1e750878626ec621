/* timeline_sampler.h: the thread that records the pipe level through the whole run.
 *
 * A picture of the stall needs the pipe level before, during and after the fault: while the
 * server starts, while the pipe fills, while the probes hang, and when the drain empties it. The
 * sampler looks at every pipe every interval_ms (10 by default) and at once after every
 * timeline event (timeline_wait_event), from the child's spawn until the child is ended, and
 * appends what it saw to the timeline: FIONREAD, the kernel's answer (a free slot or not), the
 * reader's state and the bytes it read. It only reads: it never changes the pipes or the readers.
 * Its own CPU time is measured (CLOCK_THREAD_CPUTIME_ID) so the cost of sampling is a figure in
 * the report, not a guess. interval_ms 0 disables it (events only). */
#ifndef STALLCHECK_TIMELINE_SAMPLER_H
#define STALLCHECK_TIMELINE_SAMPLER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log_pipe.h"
#include "reader.h"
#include "timeline.h"

typedef struct timeline_sampler {
    timeline *tl;          /* not owned */
    const log_pipe *pipes; /* not owned, pipe_count of them */
    pipe_reader *readers;  /* not owned, one per pipe */
    size_t pipe_count;
    long interval_ms;
    pthread_t thread;
    bool running;
    atomic_bool stop;
    /* figures, final once timeline_sampler_stop returned */
    unsigned long samples; /* looks taken (each covers every pipe) */
    int64_t cpu_us;        /* the sampler thread's own CPU time, -1 unknown */
} timeline_sampler;

/* Starts sampling (interval_ms > 0; 0 does nothing and returns 0). Returns 0 or -1. */
int timeline_sampler_start(timeline_sampler *s, timeline *tl, const log_pipe *pipes,
                           pipe_reader *readers, size_t pipe_count, long interval_ms);
/* Takes one last look, stops and joins the thread. Safe when never started. */
void timeline_sampler_stop(timeline_sampler *s);
/* What a reader is doing, from its mode and snapshot. */
timeline_reader_state timeline_sampler_reader_state(reader_mode mode, const reader_snapshot *snap);

#endif
