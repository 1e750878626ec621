/* log_async.c: the logger that cannot freeze the proxy.
 *
 * A caller formats its line on its own stack (no lock held), then takes the queue's spinlock
 * only to copy the bytes into a ring buffer and update counters. It makes no system call at
 * all in the common case: no write(2), and no futex either - the queue lock is a spinlock held
 * for a memcpy, and the drain thread is not woken per line: it polls the queue on a short timer
 * while lines flow (and a long one when idle), and a caller wakes it only when the queue passes
 * a quarter of its budget, so that a burst cannot fill the queue while the drain thread sleeps.
 *
 * The queue is bounded in bytes (queue_bytes) and in lines (queue_lines). A line that does not
 * fit is dropped (the newest, so the lines that explain an incident survive) and counted; the
 * next line that fits is preceded in the queue by "<ts> WARN log: dropped N lines (M bytes)",
 * so the loss is visible exactly where it happened.
 *
 * One drain thread ("log-drain") is the only writer of the fd. It writes straight from the
 * ring, without the lock (producers only ever write into free space), through log_sink.c,
 * which never sleeps in write(2) and never changes the fd's flags. Written lines are counted by
 * the newlines that went out, so written + dropped + queued == logged holds at every moment,
 * in lines and in bytes.
 *
 * log_stop() gives the drain thread flush_deadline_ms, then counts what is left as dropped. It
 * joins the thread only after seeing it exit; a thread that has not exited by the deadline plus
 * a margin (it could only be stuck in a write to a terminal or a hung file system) is detached
 * and frees its own state when it wakes. Everything a run uses lives in one heap "session" so
 * that log_start() can begin a new run even then. */
#include "log/log.h"
#include "log/log_format.h"
#include "log/log_sink.h"

#include "platform/platform.h"
#include "util/clock.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    DRAIN_POLL_MS = 100,          /* longest wait in poll(), so stop requests are noticed */
    DRAIN_BUSY_WAIT_MS = 1,       /* queue poll period while lines keep coming */
    DRAIN_IDLE_WAIT_MS = 100,     /* ... and once the queue has been empty for a while */
    DRAIN_IDLE_ROUNDS = 20,       /* empty polls before switching to the idle period */
    WAKE_FRACTION = 4,            /* a caller wakes the drain thread past 1/4 of the budget */
    STOP_MARGIN_MS = 1000,        /* how long past the flush deadline log_stop() waits */
    QUEUE_MIN_BYTES = 4096,       /* smallest queue honoured */
    GAP_RECORDS_MAX = 4096,       /* most gap lines queued at once */
};

/* Where a queued gap line sits in the byte stream; gap lines are not counted as log lines. */
typedef struct gap_record {
    uint64_t start;
    size_t len;
} gap_record;

/* One run of the logger, from log_start() to the drain thread's exit. */
typedef struct session {
    /* Fixed at log_start(). */
    int fd;
    size_t queue_lines;
    int flush_deadline_ms;
    char *ring;
    size_t ring_size;
    gap_record *gaps;
    size_t gaps_cap;
    pthread_t drain;
    atomic_int drain_done; /* the drain thread has counted what was left and is exiting */

    /* Guarded by logger.lock. Positions count bytes since the start of the run. */
    uint64_t read_pos, write_pos;
    size_t gaps_head, gaps_count;
    uint64_t pending_gap_lines, pending_gap_bytes; /* drops not yet announced by a gap line */
    int drain_sleeping; /* the drain thread is between two polls of the queue */
    int stopping;
    int64_t stop_deadline_ms;
    int sink_gone;     /* EPIPE: everything from now on is dropped */
    int abandoned;     /* log_stop() gave up waiting: the thread frees the session */
} session;

/* lock is a spinlock: it guards the queue and the counters and is only ever held for memory
 * work (a memcpy, counter updates), never across a system call, so spinning is cheaper than
 * a futex and keeps callers free of system calls. wake_lock and its two condition variables
 * only serve sleeping: the drain thread between polls, and log_stop() waiting for its exit.
 * They live here, not in the session, so that a caller that decides to wake the drain thread
 * after releasing the spinlock never touches a session that log_stop() may have freed. */
static struct {
    atomic_flag lock;
    session *active; /* accepting lines; NULL before log_start() and from log_stop() on */
    log_stats stats;
    pthread_mutex_t wake_lock;
    pthread_cond_t work_ready;   /* the drain thread sleeps here between polls */
    pthread_cond_t drain_exited; /* log_stop() waits here for the drain thread */
    int wake_pending;            /* guarded by wake_lock */
    pthread_once_t conds_once;
} logger = {ATOMIC_FLAG_INIT, NULL, {0}, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
            PTHREAD_COND_INITIALIZER, 0, PTHREAD_ONCE_INIT};

static void queue_lock(void)
{
    unsigned spins = 0;
    while (atomic_flag_test_and_set_explicit(&logger.lock, memory_order_acquire)) {
        /* The holder is copying memory: it is done within microseconds unless it was
         * preempted, and only then is giving up the CPU worth a system call. */
        if (++spins == 4096) {
            spins = 0;
            sched_yield();
        }
    }
}

static void queue_unlock(void)
{
    atomic_flag_clear_explicit(&logger.lock, memory_order_release);
}

/* Serialises log_start() and log_stop() against each other. */
static pthread_mutex_t lifecycle_lock = PTHREAD_MUTEX_INITIALIZER;

/* Read without the lock on every call. */
static _Atomic int min_level = LOG_LEVEL_INFO;
static _Atomic size_t max_line_bytes = 1024 * 1024;

/* ---- timed waits on the monotonic clock ---------------------------------------------- */

#if KIRO_HAVE_COND_MONOTONIC /* the platform switch: off on macOS and in the portable build */
#define LOG_COND_MONOTONIC 1
#else
#define LOG_COND_MONOTONIC 0
#endif

static int init_timed_cond(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0)
        return -1;
#if LOG_COND_MONOTONIC
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
#endif
    int rc = pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
    return rc == 0 ? 0 : -1;
}

static void init_global_conds(void)
{
    pthread_cond_destroy(&logger.work_ready);
    pthread_cond_destroy(&logger.drain_exited);
    if (init_timed_cond(&logger.work_ready) != 0)
        pthread_cond_init(&logger.work_ready, NULL);
    if (init_timed_cond(&logger.drain_exited) != 0)
        pthread_cond_init(&logger.drain_exited, NULL);
}

/* Waits on cond until signalled or until deadline_ms (clock_monotonic_ms() time). */
static void cond_wait_until(pthread_cond_t *cond, pthread_mutex_t *mutex, int64_t deadline_ms)
{
    int64_t remaining = deadline_ms - clock_monotonic_ms();
    if (remaining <= 0)
        return;
    struct timespec at;
#if LOG_COND_MONOTONIC
    int64_t ms = deadline_ms;
    at.tv_sec = (time_t)(ms / 1000);
    at.tv_nsec = (long)(ms % 1000) * 1000000L;
#else
    /* No monotonic condition variables (macOS): wait in short real-time slices and check
     * the monotonic deadline between them; only a backward wall-clock jump during one slice
     * can lengthen the wait. */
    clock_deadline_in(&at, remaining < DRAIN_POLL_MS ? remaining : DRAIN_POLL_MS);
#endif
    pthread_cond_timedwait(cond, mutex, &at);
}

/* ---- the queue (all under logger.lock) ---------------------------------------------- */

static void ring_put(session *s, const char *data, size_t len)
{
    size_t at = (size_t)(s->write_pos % s->ring_size);
    size_t first = s->ring_size - at < len ? s->ring_size - at : len;
    memcpy(s->ring + at, data, first);
    memcpy(s->ring, data + first, len - first);
    s->write_pos += len;
}

static int queue_has_room(const session *s, size_t bytes, int with_gap)
{
    if (s->write_pos - s->read_pos + bytes > s->ring_size)
        return 0;
    if (logger.stats.lines_queued >= s->queue_lines)
        return 0;
    return !with_gap || s->gaps_count < s->gaps_cap;
}

static void put_gap_line(session *s, const char *gap, size_t gap_len)
{
    gap_record *record = &s->gaps[(s->gaps_head + s->gaps_count) % s->gaps_cap];
    record->start = s->write_pos;
    record->len = gap_len;
    s->gaps_count++;
    ring_put(s, gap, gap_len);
    s->pending_gap_lines = 0;
    s->pending_gap_bytes = 0;
}

/* Past this fill the drain thread must not wait for its next poll. */
static int queue_wants_drain(const session *s)
{
    return s->write_pos - s->read_pos > s->ring_size / WAKE_FRACTION ||
           logger.stats.lines_queued > s->queue_lines / WAKE_FRACTION;
}

/* Queues line (after a gap line when drops are pending). Returns 0 when it does not fit;
 * sets *wake when the caller must wake the drain thread (after releasing the lock). */
static int enqueue(session *s, const log_line *line, int *wake)
{
    if (!queue_has_room(s, line->len, 0))
        return 0; /* the common case under overload: reject before any formatting */
    char gap[LOG_GAP_LINE_MAX];
    size_t gap_len = 0;
    if (s->pending_gap_lines > 0)
        gap_len = log_format_gap_line(gap, sizeof gap, line->text, s->pending_gap_lines,
                                      s->pending_gap_bytes);
    if (!queue_has_room(s, gap_len + line->len, gap_len > 0))
        return 0;
    if (gap_len > 0)
        put_gap_line(s, gap, gap_len);
    ring_put(s, line->text, line->len);
    logger.stats.lines_queued++;
    logger.stats.bytes_queued += line->len;
    if (s->drain_sleeping && queue_wants_drain(s)) {
        s->drain_sleeping = 0;
        logger.stats.drain_wakeups++;
        *wake = 1;
    }
    return 1;
}

static void wake_drain(void)
{
    pthread_mutex_lock(&logger.wake_lock);
    logger.wake_pending = 1;
    pthread_cond_signal(&logger.work_ready);
    pthread_mutex_unlock(&logger.wake_lock);
}

static void count_dropped(uint64_t lines, uint64_t bytes)
{
    logger.stats.lines_dropped += lines;
    logger.stats.bytes_dropped += bytes;
}

/* Counts everything still queued (including the rest of a half-written line) as dropped. */
static void drop_all_queued(session *s)
{
    count_dropped(logger.stats.lines_queued, logger.stats.bytes_queued);
    logger.stats.lines_queued = 0;
    logger.stats.bytes_queued = 0;
    s->read_pos = s->write_pos;
    s->gaps_count = 0;
}

/* ---- public: logging ------------------------------------------------------------------ */

void log_message(log_level level, const char *fmt, ...)
{
    if ((int)level < atomic_load_explicit(&min_level, memory_order_relaxed))
        return;

    log_line line;
    va_list ap;
    va_start(ap, fmt);
    log_line_format(&line, atomic_load_explicit(&max_line_bytes, memory_order_relaxed), level,
                    fmt, ap);
    va_end(ap);

    int wake = 0;
    queue_lock();
    logger.stats.lines_logged++;
    logger.stats.bytes_logged += line.len;
    if (line.truncated)
        logger.stats.lines_truncated++;
    session *s = logger.active;
    int accepting = s && !s->sink_gone;
    if (!accepting || !enqueue(s, &line, &wake)) {
        count_dropped(1, line.len);
        if (accepting) {
            s->pending_gap_lines++;
            s->pending_gap_bytes += line.len;
        }
    }
    queue_unlock();
    if (wake)
        wake_drain(); /* rare: the queue passed a quarter of its budget between two polls */
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

void log_get_stats(log_stats *out)
{
    queue_lock();
    *out = logger.stats;
    queue_unlock();
}

const char *log_implementation(void)
{
    return "async";
}

/* ---- the drain thread ------------------------------------------------------------------ */

/* A contiguous stretch of the ring to write: either part of one gap line or user lines only,
 * so that the bytes of each can be counted apart. */
typedef struct chunk {
    const char *data;
    size_t len;
    uint64_t start;      /* stream position of data[0] */
    uint64_t region_end; /* end of the user lines (or gap line) this chunk belongs to */
    int is_gap;
} chunk;

static int next_chunk(const session *s, chunk *c)
{
    if (s->write_pos == s->read_pos)
        return 0;
    c->start = s->read_pos;
    c->region_end = s->write_pos;
    c->is_gap = 0;
    if (s->gaps_count > 0) {
        const gap_record *gap = &s->gaps[s->gaps_head];
        if (s->read_pos >= gap->start) {
            c->is_gap = 1;
            c->region_end = gap->start + gap->len;
        } else {
            c->region_end = gap->start;
        }
    }
    size_t at = (size_t)(s->read_pos % s->ring_size);
    size_t len = (size_t)(c->region_end - s->read_pos);
    if (len > s->ring_size - at)
        len = s->ring_size - at;
    c->data = s->ring + at;
    c->len = len;
    return 1;
}

static size_t count_newlines(const char *data, size_t len)
{
    size_t count = 0;
    const char *end = data + len;
    for (const char *p = data; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        count++;
    return count;
}

/* Newlines in stream positions [from, to), which hold queued bytes. */
static size_t ring_count_newlines(const session *s, uint64_t from, uint64_t to)
{
    size_t count = 0;
    while (from < to) {
        size_t at = (size_t)(from % s->ring_size);
        size_t len = (size_t)(to - from);
        if (len > s->ring_size - at)
            len = s->ring_size - at;
        count += count_newlines(s->ring + at, len);
        from += len;
    }
    return count;
}

/* Position just past the first newline at or after from (before limit), or limit. */
static uint64_t ring_line_end(const session *s, uint64_t from, uint64_t limit)
{
    while (from < limit) {
        size_t at = (size_t)(from % s->ring_size);
        size_t len = (size_t)(limit - from);
        if (len > s->ring_size - at)
            len = s->ring_size - at;
        const char *nl = memchr(s->ring + at, '\n', len);
        if (nl)
            return from + (uint64_t)(nl - (s->ring + at)) + 1;
        from += len;
    }
    return limit;
}

static void pop_gap(session *s)
{
    s->gaps_head = (s->gaps_head + 1) % s->gaps_cap;
    s->gaps_count--;
}

/* Under the lock: n bytes of c reached the sink; newlines of them ended user lines. */
static void account_written(session *s, const chunk *c, size_t n, size_t newlines)
{
    s->read_pos += n;
    if (c->is_gap) {
        if (s->read_pos == c->region_end) {
            pop_gap(s);
            logger.stats.gap_lines++;
        }
        return;
    }
    logger.stats.bytes_written += n;
    logger.stats.bytes_queued -= n;
    logger.stats.lines_written += newlines;
    logger.stats.lines_queued -= newlines;
}

/* Under the lock: writing c failed with a transient error (ENOSPC, EIO...). Drops the lines
 * the chunk touched, up to drop_end, which was found outside the lock. */
static void account_failed(session *s, const chunk *c, uint64_t drop_end, size_t newlines)
{
    logger.stats.write_errors++;
    if (c->is_gap) {
        s->read_pos = c->region_end;
        pop_gap(s);
        return;
    }
    uint64_t bytes = drop_end - s->read_pos;
    s->read_pos = drop_end;
    count_dropped(newlines, bytes);
    logger.stats.lines_queued -= newlines;
    logger.stats.bytes_queued -= bytes;
}

static int wait_budget_ms(const session *s)
{
    if (!s->stopping)
        return DRAIN_POLL_MS;
    int64_t left = s->stop_deadline_ms - clock_monotonic_ms();
    if (left <= 0)
        return 0;
    return left < DRAIN_POLL_MS ? (int)left : DRAIN_POLL_MS;
}

/* Called with the lock held; returns with it held. Returns 0 when abandoned meanwhile. */
static int drain_one_chunk(session *s, const log_sink *sink, const chunk *c)
{
    int wait_ms = wait_budget_ms(s);
    queue_unlock();

    /* The bytes of c stay put until read_pos moves, which only this thread does. */
    ssize_t n = log_sink_write(sink, c->data, c->len, wait_ms);
    int err = errno;
    size_t newlines = 0;
    uint64_t drop_end = 0;
    if (n > 0 && !c->is_gap) {
        newlines = count_newlines(c->data, (size_t)n);
    } else if (n < 0 && log_sink_error_is_permanent(err)) {
        log_sink_consume_sigpipe();
    } else if (n < 0 && !c->is_gap) {
        /* Drop whole lines: through the end of the line holding the chunk's last byte. */
        drop_end = ring_line_end(s, c->start + c->len - 1, c->region_end);
        newlines = ring_count_newlines(s, c->start, drop_end);
    }

    queue_lock();
    if (s->abandoned)
        return 0;
    if (n > 0) {
        account_written(s, c, (size_t)n, newlines);
    } else if (n < 0 && log_sink_error_is_permanent(err)) {
        logger.stats.write_errors++;
        s->sink_gone = 1;
        drop_all_queued(s);
        s->pending_gap_lines = 0;
        s->pending_gap_bytes = 0;
    } else if (n < 0) {
        account_failed(s, c, drop_end, newlines);
    }
    return 1;
}

/* Under the lock, while stopping: announce drops that no later line will announce, as soon
 * as the queue has room for the gap line (no new line can be dropped any more). */
static void queue_final_gap_line(session *s)
{
    if (s->pending_gap_lines == 0 || s->sink_gone)
        return;
    char timestamp[LOG_TIMESTAMP_LEN + 1];
    log_format_timestamp_now(timestamp);
    char gap[LOG_GAP_LINE_MAX];
    size_t gap_len = log_format_gap_line(gap, sizeof gap, timestamp, s->pending_gap_lines,
                                         s->pending_gap_bytes);
    if (s->write_pos - s->read_pos + gap_len <= s->ring_size && s->gaps_count < s->gaps_cap)
        put_gap_line(s, gap, gap_len);
}

static int drain_should_exit(const session *s)
{
    if (!s->stopping)
        return 0;
    return s->write_pos == s->read_pos || s->sink_gone ||
           clock_monotonic_ms() >= s->stop_deadline_ms;
}

static void session_free(session *s);

static void *drain_main(void *arg)
{
    session *s = arg;
    log_sink_block_sigpipe();
    platform_set_thread_name("log-drain");
    log_sink sink;
    log_sink_open(&sink, s->fd);

    int empty_polls = 0;
    queue_lock();
    while (!s->abandoned) {
        if (s->stopping)
            queue_final_gap_line(s);
        if (drain_should_exit(s))
            break;
        chunk c;
        if (!next_chunk(s, &c)) {
            /* Nothing queued: sleep until the next poll (short while lines keep coming,
             * long once idle), a caller's wake-up past the threshold, or log_stop(). */
            int wait_ms = ++empty_polls > DRAIN_IDLE_ROUNDS ? DRAIN_IDLE_WAIT_MS : DRAIN_BUSY_WAIT_MS;
            s->drain_sleeping = 1;
            int stopping = s->stopping;
            queue_unlock();
            pthread_mutex_lock(&logger.wake_lock);
            if (!logger.wake_pending && !stopping)
                cond_wait_until(&logger.work_ready, &logger.wake_lock, clock_monotonic_ms() + wait_ms);
            logger.wake_pending = 0;
            pthread_mutex_unlock(&logger.wake_lock);
            queue_lock();
            s->drain_sleeping = 0;
            continue;
        }
        empty_polls = 0;
        if (!drain_one_chunk(s, &sink, &c))
            break; /* abandoned meanwhile */
    }
    int abandoned = s->abandoned;
    if (!abandoned)
        drop_all_queued(s); /* past the flush deadline: count the rest */
    queue_unlock();
    if (!abandoned) {
        pthread_mutex_lock(&logger.wake_lock);
        atomic_store(&s->drain_done, 1);
        pthread_cond_broadcast(&logger.drain_exited);
        pthread_mutex_unlock(&logger.wake_lock);
    }

    log_sink_close(&sink);
    if (abandoned)
        session_free(s);
    return NULL;
}

/* ---- public: lifecycle ---------------------------------------------------------------- */

static void session_free(session *s)
{
    free(s->ring);
    free(s->gaps);
    free(s);
}

static session *session_create(const log_config *config)
{
    session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->fd = config->fd;
    s->queue_lines = config->queue_lines;
    s->flush_deadline_ms = config->flush_deadline_ms;
    s->ring_size = config->queue_bytes;
    s->gaps_cap = config->queue_lines < GAP_RECORDS_MAX ? config->queue_lines : GAP_RECORDS_MAX;
    s->ring = malloc(s->ring_size);
    s->gaps = calloc(s->gaps_cap, sizeof *s->gaps);
    atomic_init(&s->drain_done, 0);
    if (!s->ring || !s->gaps) {
        free(s->ring);
        free(s->gaps);
        free(s);
        return NULL;
    }
    return s;
}

/* The async logger's own limits on top of log_config_normalize(). */
static void normalize_async(const log_config *in, log_config *out)
{
    log_config_normalize(in, out);
    if (out->queue_bytes < QUEUE_MIN_BYTES)
        out->queue_bytes = QUEUE_MIN_BYTES;
    /* A line, with the gap line that may precede it, always fits an empty queue. */
    if (out->max_line_bytes > out->queue_bytes - LOG_GAP_LINE_MAX)
        out->max_line_bytes = out->queue_bytes - LOG_GAP_LINE_MAX;
}

int log_start(const log_config *config)
{
    log_config normalized;
    normalize_async(config, &normalized);
    if (normalized.fd < 0)
        return -1;

    pthread_once(&logger.conds_once, init_global_conds);
    pthread_mutex_lock(&lifecycle_lock);
    queue_lock();
    int running = logger.active != NULL;
    queue_unlock();
    session *s = running ? NULL : session_create(&normalized);
    if (!s) {
        pthread_mutex_unlock(&lifecycle_lock);
        return -1;
    }

    queue_lock();
    memset(&logger.stats, 0, sizeof logger.stats);
    logger.stats.queue_budget_bytes = normalized.queue_bytes;
    logger.active = s;
    atomic_store(&min_level, (int)normalized.min_level);
    atomic_store(&max_line_bytes, normalized.max_line_bytes);
    queue_unlock();

    if (pthread_create(&s->drain, NULL, drain_main, s) != 0) {
        queue_lock();
        logger.active = NULL;
        drop_all_queued(s);
        queue_unlock();
        session_free(s);
        pthread_mutex_unlock(&lifecycle_lock);
        return -1;
    }
    pthread_mutex_unlock(&lifecycle_lock);
    return 0;
}

void log_stop(void)
{
    pthread_mutex_lock(&lifecycle_lock);
    queue_lock();
    session *s = logger.active;
    if (!s) {
        queue_unlock();
        pthread_mutex_unlock(&lifecycle_lock);
        return;
    }
    logger.active = NULL; /* from here on, lines are counted as dropped */
    s->stopping = 1;
    s->stop_deadline_ms = clock_monotonic_ms() + s->flush_deadline_ms;
    const int64_t give_up_ms = s->stop_deadline_ms + STOP_MARGIN_MS;
    queue_unlock();

    pthread_mutex_lock(&logger.wake_lock);
    logger.wake_pending = 1;
    pthread_cond_signal(&logger.work_ready);
    while (!atomic_load(&s->drain_done) && clock_monotonic_ms() < give_up_ms)
        cond_wait_until(&logger.drain_exited, &logger.wake_lock, give_up_ms);
    pthread_mutex_unlock(&logger.wake_lock);

    if (atomic_load(&s->drain_done)) {
        pthread_join(s->drain, NULL); /* it has exited its loop; this cannot hang */
        session_free(s);
    } else {
        queue_lock();
        if (atomic_load(&s->drain_done)) {
            queue_unlock();
            pthread_join(s->drain, NULL);
            session_free(s);
        } else {
            /* Stuck outside our control (a stopped terminal, a hung file system): never
             * join it. What it still holds is counted as dropped; it frees the session. */
            s->abandoned = 1;
            drop_all_queued(s);
            queue_unlock();
            pthread_detach(s->drain);
        }
    }
    pthread_mutex_unlock(&lifecycle_lock);
}
