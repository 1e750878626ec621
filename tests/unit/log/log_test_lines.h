/* log_test_lines.h: checks on logger output shared by the logger tests: the exact line format
 * both builds must produce, and the accounting invariant of the counters. */
#ifndef KIRO_LOG_TEST_LINES_H
#define KIRO_LOG_TEST_LINES_H

#include <stddef.h>

#include "log/log.h"

/* 1 when line[0..len) is "<YYYY-MM-DDTHH:MM:SS.mmmZ> <level> <message>\n" exactly. */
int line_has_format(const char *line, size_t len, const char *level, const char *message);

/* Counts lines in data[0..len) that contain needle. */
size_t count_lines_containing(const char *data, size_t len, const char *needle);

/* Formats a line through the shared formatter (log_format.c) with the default line limit,
 * for byte comparison with what a logger wrote. Release with log_line_release(). */
struct log_line;
void format_reference_line(struct log_line *line, log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* written + dropped + queued == logged, for lines and for bytes. */
int stats_balance(const log_stats *s);

#endif
