/* log_session.c: a session's memory, the drain thread's sleep and wake-up, and the statistics
 * board that outlives sessions; see log_session.h. */
#include "log/log_session.h"

#include "platform/platform.h"
#include "util/clock.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
    WAKE_FRACTION = 4, /* a caller wakes the drain thread past 3/4 of either bound */
    SLICE_MS = 100,    /* longest real-time slice where condition variables lack CLOCK_MONOTONIC */
};

/* ---- timed waits on the monotonic clock ---- */

#if KIRO_HAVE_COND_MONOTONIC /* the platform switch: off on macOS and in the portable build */
#define LOG_COND_MONOTONIC 1
#else
#define LOG_COND_MONOTONIC 0
#endif

static int init_timed_cond(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0)
        return pthread_cond_init(cond, NULL) == 0 ? 0 : -1;
#if LOG_COND_MONOTONIC
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
#endif
    int rc = pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
    return rc == 0 ? 0 : -1;
}

/* Waits on cond until signalled or until deadline_ms (clock_monotonic_ms() time). */
static void cond_wait_until(pthread_cond_t *cond, pthread_mutex_t *mutex, int64_t deadline_ms)
{
    int64_t remaining = deadline_ms - clock_monotonic_ms();
    if (remaining <= 0)
        return;
    struct timespec at;
#if LOG_COND_MONOTONIC
    at.tv_sec = (time_t)(deadline_ms / 1000);
    at.tv_nsec = (long)(deadline_ms % 1000) * 1000000L;
#else
    /* No monotonic condition variables (macOS): wait in short real-time slices and check the
     * monotonic deadline between them; only a backward wall-clock jump during one slice can
     * lengthen the wait. */
    clock_deadline_in(&at, remaining < SLICE_MS ? remaining : SLICE_MS);
#endif
    pthread_cond_timedwait(cond, mutex, &at);
}

/* ---- the session ---- */

log_session *log_session_create(const log_config *config)
{
    size_t size = (sizeof(log_session) + 63) / 64 * 64;
    log_session *s = aligned_alloc(64, size);
    if (!s)
        return NULL;
    memset(s, 0, size);
    if (log_ring_init(&s->ring, config->queue_bytes, (uint32_t)config->queue_lines) != 0) {
        free(s);
        return NULL;
    }
    s->fd = config->fd;
    s->flush_deadline_ms = config->flush_deadline_ms;
    s->wake_bytes = config->queue_bytes / WAKE_FRACTION * (WAKE_FRACTION - 1);
    s->wake_records = (uint32_t)(config->queue_lines / WAKE_FRACTION * (WAKE_FRACTION - 1));
    atomic_init(&s->owner, SESSION_RUNNING);
    atomic_init(&s->stopping, 0);
    atomic_init(&s->stop_deadline_ms, 0);
    atomic_init(&s->sink_gone, 0);
    atomic_init(&s->drain_sleeping, 0);
    atomic_init(&s->sleep_until_us, 0);
    atomic_init(&s->callers_stuck, 0);
    atomic_init(&s->drops_pending, 0);
    atomic_flag_clear(&s->announcing);
    int ok = pthread_mutex_init(&s->wake_lock, NULL) == 0;
    ok = ok && init_timed_cond(&s->work_ready) == 0;
    ok = ok && init_timed_cond(&s->drain_done) == 0;
    if (!ok) {
        log_ring_destroy(&s->ring);
        free(s);
        return NULL;
    }
    return s;
}

void log_session_free(log_session *s)
{
    pthread_cond_destroy(&s->work_ready);
    pthread_cond_destroy(&s->drain_done);
    pthread_mutex_destroy(&s->wake_lock);
    log_ring_destroy(&s->ring);
    free(s);
}

void log_session_wake(log_session *s)
{
    pthread_mutex_lock(&s->wake_lock);
    s->wake_pending = 1;
    pthread_cond_signal(&s->work_ready);
    pthread_mutex_unlock(&s->wake_lock);
}

void log_session_announce_sleep(log_session *s, int wait_ms)
{
    atomic_store(&s->sleep_until_us, clock_monotonic_us() + (int64_t)wait_ms * 1000);
    atomic_store(&s->drain_sleeping, 1);
}

void log_session_sleep(log_session *s, int wait_ms)
{
    pthread_mutex_lock(&s->wake_lock);
    if (!s->wake_pending && !atomic_load(&s->stopping))
        cond_wait_until(&s->work_ready, &s->wake_lock, clock_monotonic_ms() + wait_ms);
    s->wake_pending = 0;
    pthread_mutex_unlock(&s->wake_lock);
}

void log_session_wait_drain(log_session *s, int64_t deadline_ms)
{
    pthread_mutex_lock(&s->wake_lock);
    while (atomic_load(&s->owner) == SESSION_RUNNING && clock_monotonic_ms() < deadline_ms)
        cond_wait_until(&s->drain_done, &s->wake_lock, deadline_ms);
    pthread_mutex_unlock(&s->wake_lock);
}

/* ---- ownership ---- */

int log_session_drain_done(log_session *s)
{
    int expected = SESSION_RUNNING;
    if (atomic_compare_exchange_strong(&s->owner, &expected, SESSION_EXITED)) {
        pthread_mutex_lock(&s->wake_lock);
        pthread_cond_broadcast(&s->drain_done);
        pthread_mutex_unlock(&s->wake_lock);
        return 0; /* log_stop() joins the drain thread, then frees the session */
    }
    return 1; /* abandoned: log_stop() no longer looks at the session */
}

int log_session_give_up(log_session *s)
{
    int expected = SESSION_RUNNING;
    return !atomic_compare_exchange_strong(&s->owner, &expected, SESSION_ABANDONED);
}

/* ---- the statistics board ---- */

static struct {
    pthread_mutex_t lock;
    log_session *session; /* the run in progress, or NULL */
    log_board_view view;
} board = {PTHREAD_MUTEX_INITIALIZER, NULL, {{0}, {{0}}, 0}};

void log_board_begin(log_session *s, const log_caller_sums *baseline, size_t budget_bytes)
{
    pthread_mutex_lock(&board.lock);
    board.session = s;
    memset(&board.view, 0, sizeof board.view);
    board.view.baseline = *baseline;
    board.view.budget_bytes = budget_bytes;
    pthread_mutex_unlock(&board.lock);
}

void log_board_add(log_session *s, const log_drain_counts *delta)
{
    pthread_mutex_lock(&board.lock);
    if (board.session == s) {
        log_drain_counts *d = &board.view.drain;
        d->lines_written += delta->lines_written;
        d->bytes_written += delta->bytes_written;
        d->lines_dropped += delta->lines_dropped;
        d->bytes_dropped += delta->bytes_dropped;
        d->gap_lines += delta->gap_lines;
        d->write_errors += delta->write_errors;
    }
    pthread_mutex_unlock(&board.lock);
}

void log_board_end(log_session *s)
{
    pthread_mutex_lock(&board.lock);
    if (board.session == s) {
        /* Under the board's lock, so that the drain thread cannot count in between. */
        log_caller_sums now;
        log_callers_sum(&now);
        const uint64_t *n = now.value, *b = board.view.baseline.value;
        log_drain_counts *d = &board.view.drain;
        uint64_t accepted_lines = (n[CALLER_LINES_LOGGED] - b[CALLER_LINES_LOGGED]) -
                                  (n[CALLER_LINES_DROPPED] - b[CALLER_LINES_DROPPED]);
        uint64_t accepted_bytes = (n[CALLER_BYTES_LOGGED] - b[CALLER_BYTES_LOGGED]) -
                                  (n[CALLER_BYTES_DROPPED] - b[CALLER_BYTES_DROPPED]);
        d->lines_dropped += accepted_lines - d->lines_written - d->lines_dropped;
        d->bytes_dropped += accepted_bytes - d->bytes_written - d->bytes_dropped;
        board.session = NULL;
    }
    pthread_mutex_unlock(&board.lock);
}

void log_board_read(log_board_view *out)
{
    pthread_mutex_lock(&board.lock);
    *out = board.view;
    pthread_mutex_unlock(&board.lock);
}
