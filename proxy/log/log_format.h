/* log_format.h: internal to proxy/log: turns one log call into the bytes of one line.
 *
 * Both logger implementations (log_blocking.c, log_async.c) format through this file, so the
 * two builds emit identical bytes and differ only in how the bytes reach the sink. Everything
 * here runs on the calling thread with no lock held and makes no system call other than the
 * vDSO clock read: no stdio FILE function, no time zone lookup.
 *
 * A line is "<YYYY-MM-DDTHH:MM:SS.mmmZ> <LEVEL> <message>\n". Control characters in the
 * message are escaped (\n, \r, \xHH; \t is kept) so one call is always exactly one line, and a
 * line longer than the limit is cut and ends in " ...[truncated N bytes]". */
#ifndef KIRO_LOG_FORMAT_H
#define KIRO_LOG_FORMAT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "log/log.h"

/* "2025-01-02T03:04:05.678Z" */
#define LOG_TIMESTAMP_LEN 24

/* Smallest line limit honoured: the prefix, a truncation marker and the newline always fit. */
#define LOG_LINE_MIN_BYTES 256

/* Upper bound of a "dropped N lines (M bytes)" line, with 20-digit numbers. */
#define LOG_GAP_LINE_MAX 128

/* Lines up to this size are formatted without touching the heap. */
#define LOG_LINE_STACK_BYTES 2048

/* One formatted line. Lives on the caller's stack; text points into stack or at one heap
 * allocation that log_line_release() frees. */
typedef struct log_line {
    char *text;       /* the line, ending in '\n' (NUL after it, not counted in len) */
    size_t len;       /* bytes including the newline */
    int truncated;    /* 1 when the message was cut to the line limit */
    char *heap;       /* allocation behind text, or NULL */
    char stack[LOG_LINE_STACK_BYTES];
} log_line;

/* Copies in (or the defaults when in is NULL) to out with every field clamped to a usable
 * value: max_line_bytes >= LOG_LINE_MIN_BYTES, flush_deadline_ms >= 0, and so on. */
void log_config_normalize(const log_config *in, log_config *out);

/* Writes the UTC timestamp of t (LOG_TIMESTAMP_LEN characters plus a NUL). */
void log_format_timestamp_at(const struct timespec *t, char out[LOG_TIMESTAMP_LEN + 1]);

/* The same for the current CLOCK_REALTIME time. */
void log_format_timestamp_now(char out[LOG_TIMESTAMP_LEN + 1]);

/* Formats one line of at most max_line_bytes bytes (normalized, >= LOG_LINE_MIN_BYTES).
 * Never fails: an allocation failure cuts the line to the stack buffer instead, and a format
 * error logs a fixed text. Call log_line_release() afterwards. */
void log_line_format(log_line *line, size_t max_line_bytes, log_level level, const char *fmt,
                     va_list ap) __attribute__((format(printf, 4, 0)));

void log_line_release(log_line *line);

/* Writes "<timestamp> WARN log: dropped N lines (M bytes)\n" into out (at least
 * LOG_GAP_LINE_MAX bytes) and returns its length. timestamp is LOG_TIMESTAMP_LEN characters
 * (the beginning of any formatted line will do). */
size_t log_format_gap_line(char *out, size_t out_size, const char *timestamp, uint64_t lines,
                           uint64_t bytes);

#endif
