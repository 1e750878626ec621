/* log_blocking.c: the logger that froze production, reproduced on purpose.
 *
 * This is what Go's log package does: one process-wide mutex held across a blocking write(2)
 * of the whole line to the sink. When the reader of the sink (a launcher's pipe) stops
 * reading, the pipe fills, write(2) sleeps with the mutex held, and every thread that logs
 * then sleeps on the mutex: the process is frozen although nothing has crashed. The
 * kiro-proxy-blocking build links this file so the stall harness has a positive control.
 *
 * Only the bug is kept: formatting happens before the lock, and the counters (changed only
 * under the lock) are atomics so that /metrics and tests can read them while a write is stuck;
 * neither is part of the bug. The line being written counts as "queued", so
 * written + dropped + queued == logged holds in every snapshot. */
#include "log/log.h"
#include "log/log_format.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

typedef struct blocking_counters {
    _Atomic uint64_t lines_logged, bytes_logged;
    _Atomic uint64_t lines_written, bytes_written;
    _Atomic uint64_t lines_dropped, bytes_dropped;
    _Atomic uint64_t lines_truncated;
    _Atomic uint64_t write_errors;
} blocking_counters;

/* The one lock every logging thread shares: held across write(2), which is the bug. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

/* Guarded by write_lock: -1 before log_start() and after log_stop(). */
static int sink_fd = -1;

static _Atomic size_t max_line_bytes = LOG_LINE_MIN_BYTES;

static _Atomic int min_level = LOG_LEVEL_INFO;
static blocking_counters counters;

/* Sequentially consistent on purpose: log_get_stats() relies on "logged" being counted
 * before the outcome of the same line becomes visible. */
static void add(_Atomic uint64_t *counter, uint64_t amount)
{
    atomic_fetch_add(counter, amount);
}

static void reset_counters(void)
{
    _Atomic uint64_t *all[] = {
        &counters.lines_logged,  &counters.bytes_logged,  &counters.lines_written,
        &counters.bytes_written, &counters.lines_dropped, &counters.bytes_dropped,
        &counters.lines_truncated, &counters.write_errors,
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        atomic_store(all[i], 0);
}

int log_start(const log_config *config)
{
    log_config normalized;
    log_config_normalize(config, &normalized);
    if (normalized.fd < 0)
        return -1;
    pthread_mutex_lock(&write_lock);
    if (sink_fd >= 0) {
        pthread_mutex_unlock(&write_lock);
        return -1;
    }
    reset_counters();
    sink_fd = normalized.fd;
    atomic_store(&max_line_bytes, normalized.max_line_bytes);
    atomic_store(&min_level, (int)normalized.min_level);
    pthread_mutex_unlock(&write_lock);
    return 0;
}

void log_stop(void)
{
    /* Waits for a write in progress, exactly like every other caller of the lock. */
    pthread_mutex_lock(&write_lock);
    sink_fd = -1;
    pthread_mutex_unlock(&write_lock);
}

/* Writes all of text to fd, blocking as long as the sink does. Returns bytes written; stops
 * early only on an error other than EINTR. */
static size_t write_fully(int fd, const char *text, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n > 0) {
            done += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            break;
        }
    }
    return done;
}

void log_message(log_level level, const char *fmt, ...)
{
    if ((int)level < atomic_load_explicit(&min_level, memory_order_relaxed))
        return;

    log_line line;
    va_list ap;
    va_start(ap, fmt);
    log_line_format(&line, atomic_load(&max_line_bytes), level, fmt, ap);
    va_end(ap);

    pthread_mutex_lock(&write_lock);
    add(&counters.lines_logged, 1);
    add(&counters.bytes_logged, line.len);
    if (line.truncated)
        add(&counters.lines_truncated, 1);
    if (sink_fd < 0) {
        add(&counters.lines_dropped, 1);
        add(&counters.bytes_dropped, line.len);
    } else {
        size_t written = write_fully(sink_fd, line.text, line.len);
        add(&counters.bytes_written, written);
        if (written == line.len) {
            add(&counters.lines_written, 1);
        } else {
            add(&counters.write_errors, 1);
            add(&counters.lines_dropped, 1);
            add(&counters.bytes_dropped, line.len - written);
        }
    }
    pthread_mutex_unlock(&write_lock);
    log_line_release(&line);
}

int log_enabled(log_level level)
{
    return (int)level >= atomic_load_explicit(&min_level, memory_order_relaxed);
}

void log_set_level(log_level level)
{
    atomic_store(&min_level, (int)level);
}

/* logged - written - dropped, or 0 when a log_start() reset raced the snapshot. */
static uint64_t in_flight(uint64_t logged, uint64_t written, uint64_t dropped)
{
    return logged >= written + dropped ? logged - written - dropped : 0;
}

void log_get_stats(log_stats *out)
{
    /* Outcomes first, then logged: a line counted as logged but with no outcome yet is the
     * one being written (or waiting for the lock), reported as queued. */
    uint64_t lines_written = atomic_load(&counters.lines_written);
    uint64_t bytes_written = atomic_load(&counters.bytes_written);
    uint64_t lines_dropped = atomic_load(&counters.lines_dropped);
    uint64_t bytes_dropped = atomic_load(&counters.bytes_dropped);
    uint64_t write_errors = atomic_load(&counters.write_errors);
    uint64_t lines_logged = atomic_load(&counters.lines_logged);
    uint64_t bytes_logged = atomic_load(&counters.bytes_logged);

    out->lines_logged = lines_logged;
    out->bytes_logged = bytes_logged;
    out->lines_written = lines_written;
    out->bytes_written = bytes_written;
    out->lines_dropped = lines_dropped;
    out->bytes_dropped = bytes_dropped;
    out->lines_queued = in_flight(lines_logged, lines_written, lines_dropped);
    out->bytes_queued = in_flight(bytes_logged, bytes_written, bytes_dropped);
    out->lines_truncated = atomic_load(&counters.lines_truncated);
    out->gap_lines = 0;
    out->write_errors = write_errors;
    out->drain_wakeups = 0;
    out->queue_budget_bytes = 0;
}

const char *log_implementation(void)
{
    return "blocking";
}
