/* cost_sink.h: where the logger under test writes in bench-log-*, and starting it there.
 *
 *   drained  a pipe that a reader thread of the bench empties continuously;
 *   stalled  a pipe nobody reads: before a measurement the logger is fed until the pipe is
 *            full and its queue drops lines, so the calls measured are the ones a proxy makes
 *            behind a launcher that stopped reading;
 *   devnull  /dev/null (the blocking logger's best case: write(2) never waits). */
#ifndef KIRO_BENCH_COST_SINK_H
#define KIRO_BENCH_COST_SINK_H

#include "bench_pipe.h"

typedef enum {
    COST_SINK_DRAINED,
    COST_SINK_STALLED,
    COST_SINK_DEVNULL,
} cost_sink_kind;

typedef struct cost_sink {
    cost_sink_kind kind;
    bench_pipe pipe; /* drained and stalled */
    int devnull_fd;
} cost_sink;

const char *cost_sink_name(cost_sink_kind kind);
int cost_sink_parse(const char *text, cost_sink_kind *out);

int cost_sink_open(cost_sink *s, cost_sink_kind kind);
void cost_sink_close(cost_sink *s);

/* log_start() on the sink (stalled: then fed until full). Returns 0 or -1. */
int cost_logger_start(cost_sink *s);
/* log_stop() with a short flush deadline. */
void cost_logger_stop(void);

/* "pipe full (FIONREAD 65536 of 65536)" and the like, for the stalled sink. */
void cost_sink_describe(const cost_sink *s, char *out, size_t out_size);

#endif
