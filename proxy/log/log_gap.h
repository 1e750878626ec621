/* log_gap.h: internal to proxy/log: the "dropped N lines (M bytes)" line of the async logger,
 * placed in the queue right before the first line accepted after drops.
 *
 * A caller that drops a line because the queue is full counts it in its own block
 * (CALLER_*_OVERFLOW, log_callers.h) and raises the session's drops_pending flag: no shared
 * counter is written per dropped line, so two threads dropping side by side (a stalled sink)
 * do not fight over a cache line. The next caller whose line fits, and sees the flag, becomes
 * the announcer: under a try-lock (never waited for) it lowers the flag, adds up the overflow
 * counts of every thread (log_callers_sum: no lock), and puts the difference from what was already
 * announced into the same record as its own line, gap line first. If its line does not fit after
 * all, the drops stay pending (flag raised again). At stop the drain thread announces what is left.
 *
 * The flag and the counts form a Dekker pair: a dropper writes its count, then (after a full
 * fence) looks at the flag; the announcer lowers the flag, then reads the counts. Either the
 * announcer sees the drop, or the dropper sees the flag lowered and raises it again. */
#ifndef KIRO_LOG_GAP_H
#define KIRO_LOG_GAP_H

#include "log/log_format.h"
#include "log/log_session.h"

typedef struct log_gap {
    char text[LOG_GAP_LINE_MAX];
    size_t len;                        /* 0: nothing to announce */
    uint64_t lines_total, bytes_total; /* overflow totals once this line is placed */
} log_gap;

/* The dropping side: counted already; raise the flag. */
void log_gap_note_drop(log_session *s);

/* Tries to become the announcer. Returns 1 with *gap filled (gap->len may be 0) while holding
 * the announcer lock, or 0 when another thread announces. timestamp is LOG_TIMESTAMP_LEN
 * characters. */
int log_gap_begin(log_session *s, const char *timestamp, log_gap *gap);

/* Releases the announcer lock; placed says whether the gap line went into the queue. */
void log_gap_end(log_session *s, const log_gap *gap, int placed);

#endif
