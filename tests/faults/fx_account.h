/* fx_account.h: "nothing silently lost". After a scenario the case restores a draining reader,
 * waits until /metrics shows kiro_log_lines_queued 0, and asserts
 *   written + dropped == logged (lines and bytes),
 * and that every drop is visible where log_async.c promises it: drops of a full queue are
 * announced by "<ts> WARN log: dropped N lines (M bytes)" gap lines, so on a sink that never
 * failed the gap lines in the drained output add up exactly to the dropped lines and bytes;
 * drops caused by the sink itself (EPIPE, ENOSPC, a closed fd: counted in write_errors) have no
 * gap line, and then nothing at all can have been written. */
#ifndef FX_ACCOUNT_H
#define FX_ACCOUNT_H

#include "fx_check.h"
#include "fx_stack.h"

typedef enum {
    FX_ACCOUNT_PIPE,        /* the log pipe works once drained: exact gap-line accounting */
    FX_ACCOUNT_SINK_BROKEN, /* every write fails: nothing written, all dropped, no gap line */
    FX_ACCOUNT_BOOKS_ONLY,  /* only the balance (a sink the test cannot read, e.g. /dev/null) */
} fx_account_kind;

/* expect_drops: the scenario overflows the queue on purpose, so drops must have happened. */
void fx_account_verify(fx_run *run, fx_stack *s, fx_account_kind kind, int expect_drops);

/* Gap lines in text: their number and the sums of N and M. */
void fx_account_gap_lines(const char *text, long long *count, long long *lines, long long *bytes);

#endif
