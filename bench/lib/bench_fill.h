/* bench_fill.h: making a proxy's stalled log pipe full before measuring.
 *
 * Sends what makes log lines until the pipe behind the proxy's stdout/stderr cannot take one
 * more byte: a 256 KiB rejected /v1/messages (one 256 KiB [KIRO_PRE] line at debug level),
 * then, at info level where that line is only a summary, batches of GET /v1/models (one
 * access line each). Bounded in rounds and time. */
#ifndef KIRO_BENCH_FILL_H
#define KIRO_BENCH_FILL_H

#include "bench_stack.h"

/* Returns 0 when the pipe is full; pending gets FIONREAD of the read end. */
int bench_fill_log_pipe(bench_proxy *p, long *pending);

#endif
