/* log.h: the proxy's one logging interface.
 *
 * Two implementations link against this header and nothing else knows which one is in use:
 *   log_blocking.c  the bug: one process-wide mutex held across a blocking write(2) of each
 *                   line to the sink, exactly what Go's log package does;
 *   log_async.c     the fix: callers format into memory and enqueue into a queue bounded in
 *                   bytes and lines; one drain thread is the only writer of the sink, never
 *                   blocks in write(2), drops the newest lines when full, counts every loss and
 *                   writes a "dropped N lines (M bytes)" line at the gap.
 * Both share log_format.c so the bytes of a line are identical in both builds.
 *
 * A line is "<UTC timestamp> <LEVEL> <message>\n". Control characters in the message are
 * escaped, so one call is always exactly one line. */
#ifndef KIRO_LOG_H
#define KIRO_LOG_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    LOG_LEVEL_DEBUG = 0,
    LOG_LEVEL_INFO = 1,
    LOG_LEVEL_WARN = 2,
    LOG_LEVEL_ERROR = 3,
} log_level;

typedef struct log_config {
    int fd;                  /* sink; default 2 (stderr) */
    log_level min_level;     /* default LOG_LEVEL_INFO */
    size_t max_line_bytes;   /* longer lines are cut and end in a marker; default 1 MiB */
    size_t queue_bytes;      /* async: byte budget of the queue; default 4 MiB */
    size_t queue_lines;      /* async: most lines queued; default 65536 */
    int flush_deadline_ms;   /* async: how long log_stop() may flush; default 2000 */
} log_config;

/* Counters, readable at any time from any thread. Invariant for the async logger:
 * lines_written + lines_dropped + lines_queued == lines_logged (and the same for bytes,
 * where bytes count the formatted line including its newline, after truncation). */
typedef struct log_stats {
    uint64_t lines_logged, bytes_logged;
    uint64_t lines_written, bytes_written;
    uint64_t lines_dropped, bytes_dropped;
    uint64_t lines_queued, bytes_queued;
    uint64_t lines_truncated;  /* lines cut to max_line_bytes */
    uint64_t gap_lines;        /* "dropped N lines" markers written (not counted in lines_*) */
    uint64_t write_errors;     /* failed write(2) calls other than EAGAIN/EINTR */
    uint64_t drain_wakeups;    /* times a caller had to wake the drain thread (async) */
    size_t queue_budget_bytes; /* configured byte budget (0 for the blocking logger) */
} log_stats;

void log_config_defaults(log_config *config);

/* Starts the logger. May be called again after log_stop() (tests do). Returns 0 or -1. */
int log_start(const log_config *config);

/* Stops the logger. Async: flushes for at most flush_deadline_ms, counts what is left as
 * dropped, and returns even when the sink never drains. Idempotent. */
void log_stop(void);

/* Logs one line. Never blocks in the async build. Safe from any thread; before log_start()
 * and after log_stop() lines are counted as dropped. */
void log_message(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* 1 when a line at this level would be logged (to skip expensive formatting). */
int log_enabled(log_level level);
void log_set_level(log_level level);

void log_get_stats(log_stats *out);

/* "blocking" or "async". */
const char *log_implementation(void);

/* Parses debug|info|warn|warning|error; returns 0 on success. */
int log_level_parse(const char *text, log_level *out);
const char *log_level_name(log_level level);

#define LOG_DEBUG(...) log_message(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define LOG_INFO(...) log_message(LOG_LEVEL_INFO, __VA_ARGS__)
#define LOG_WARN(...) log_message(LOG_LEVEL_WARN, __VA_ARGS__)
#define LOG_ERROR(...) log_message(LOG_LEVEL_ERROR, __VA_ARGS__)

#endif
