/* relay_stats.h: the counters logrelay keeps per child stream, and how they are reported.
 *
 * Accounting rule (what makes the numbers checkable): every byte read from the child belongs to
 * exactly one record (a whole line, or one piece of a line too long to forward in one piece),
 * and every record ends up either forwarded (completely written to its destination) or dropped
 * (never written, or still queued when the flush deadline passed, or its destination gone).
 * So for each stream: received == forwarded + dropped, in lines and in bytes. A line split into
 * k pieces counts as k lines; split_lines counts the lines that were split. Byte counts are the
 * child's own bytes: the newline added to a final partial line and logrelay's markers are not
 * counted. Markers have their own counters. */
#ifndef LOGRELAY_RELAY_STATS_H
#define LOGRELAY_RELAY_STATS_H

#include <stdint.h>

#include "util/buf.h"

enum relay_stream { RELAY_STDOUT = 0, RELAY_STDERR = 1, RELAY_STREAMS = 2 };

struct stream_counters {
    uint64_t received_lines, received_bytes;
    uint64_t forwarded_lines, forwarded_bytes;
    uint64_t dropped_lines, dropped_bytes;
    uint64_t split_lines;
};

struct relay_stats {
    struct stream_counters stream[RELAY_STREAMS];
    uint64_t gap_markers;   /* "logrelay: dropped N lines" lines written into the output */
    uint64_t rotations;     /* --output files rotated */
    int child_exit_status;  /* what logrelay exits with: the code, or 128 + signal */
};

/* "stdout" or "stderr". */
const char *relay_stream_name(int stream);

/* Appends the human-readable report (several lines, each starting with "logrelay: "). */
int relay_stats_format_text(const struct relay_stats *stats, kbuf *out);

/* Writes the counters as a JSON object to path (replaced). Returns 0, or -1 with errno. */
int relay_stats_write_json(const struct relay_stats *stats, const char *path);

#endif
