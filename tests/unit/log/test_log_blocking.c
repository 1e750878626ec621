/* test_log_blocking.c: the blocking logger (the reproduced bug) really blocks every logging
 * thread while its sink is full, resumes when the sink drains, writes the same bytes as the
 * async build and keeps correct counters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log/log.h"
#include "log/log_format.h"
#include "log_test_lines.h"
#include "log_test_support.h"


static int teardown_stop_logger(void **state)
{
    (void)state;
    log_stop();
    return 0;
}

/* One log call on its own thread, with a completion flag the test can wait on. */
typedef struct logging_call {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    const char *message;
    int done;
} logging_call;

static void *logging_call_main(void *arg)
{
    logging_call *call = arg;
    log_message(LOG_LEVEL_INFO, "%s", call->message);
    pthread_mutex_lock(&call->lock);
    call->done = 1;
    pthread_cond_broadcast(&call->changed);
    pthread_mutex_unlock(&call->lock);
    return NULL;
}

static void logging_call_start(logging_call *call, const char *message)
{
    memset(call, 0, sizeof *call);
    call->message = message;
    pthread_mutex_init(&call->lock, NULL);
    pthread_cond_init(&call->changed, NULL);
    assert_int_equal(pthread_create(&call->thread, NULL, logging_call_main, call), 0);
}

/* Waits up to timeout_ms for the call to return; returns whether it did. */
static int logging_call_wait(logging_call *call, int timeout_ms)
{
    const int64_t give_up = test_now_ms() + timeout_ms;
    pthread_mutex_lock(&call->lock);
    while (!call->done) {
        int64_t left = give_up - test_now_ms();
        if (left <= 0)
            break;
        struct timespec at;
        clock_gettime(CLOCK_REALTIME, &at);
        long slice_ms = left < 50 ? (long)left : 50;
        at.tv_nsec += slice_ms * 1000000L;
        if (at.tv_nsec >= 1000000000L) {
            at.tv_sec++;
            at.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&call->changed, &call->lock, &at);
    }
    int done = call->done;
    pthread_mutex_unlock(&call->lock);
    return done;
}

static void logging_call_join(logging_call *call)
{
    pthread_join(call->thread, NULL);
    pthread_mutex_destroy(&call->lock);
    pthread_cond_destroy(&call->changed);
}

static int logged_at_least_one(const log_stats *s, const void *arg)
{
    (void)arg;
    return s->lines_logged >= 1;
}

/* ---- 1. it really blocks, and recovers --------------------------------------------------- */

static void test_full_pipe_blocks_every_logging_thread(void **state)
{
    (void)state;
    pipe_reader r;
    pipe_reader_start(&r, 0);
    size_t filler = fill_pipe(r.write_fd); /* the launcher stopped reading */
    assert_true(filler > 0);
    log_config c;
    log_config_defaults(&c);
    c.fd = r.write_fd;
    assert_int_equal(log_start(&c), 0);
    assert_string_equal(log_implementation(), "blocking");

    logging_call first, second;
    logging_call_start(&first, "first: stuck in write(2) holding the lock");
    /* "logged" is counted under the lock right before write(2): the first call holds it. */
    assert_true(wait_for_stats(logged_at_least_one, NULL, TEST_DEADLINE_MS));
    logging_call_start(&second, "second: stuck waiting for the lock");

    /* Negative observation: neither call can return while the pipe stays full. */
    assert_false(logging_call_wait(&second, 300));
    assert_false(logging_call_wait(&first, 1));
    /* The counters stay readable (atomics), and show the one line in flight. */
    log_stats s = stats_now();
    assert_int_equal(s.lines_logged, 1);
    assert_int_equal(s.lines_queued, 1);
    assert_int_equal(s.lines_written, 0);

    /* The reader comes back: both calls complete, in order (a stall, not a crash). */
    pipe_reader_resume(&r);
    assert_true(logging_call_wait(&first, TEST_DEADLINE_MS));
    assert_true(logging_call_wait(&second, TEST_DEADLINE_MS));
    logging_call_join(&first);
    logging_call_join(&second);
    log_stop();
    assert_true(pipe_reader_finish(&r));

    s = stats_now();
    assert_int_equal(s.lines_logged, 2);
    assert_int_equal(s.lines_written, 2);
    assert_int_equal(s.lines_queued, 0);
    assert_int_equal(s.bytes_written, r.len - filler);
    const char *p = r.data + filler;
    const char *nl = memchr(p, '\n', r.len - filler);
    assert_non_null(nl);
    assert_true(line_has_format(p, (size_t)(nl - p) + 1, "INFO", first.message));
    assert_true(line_has_format(nl + 1, (size_t)(r.data + r.len - (nl + 1)), "INFO",
                                second.message));
    pipe_reader_destroy(&r);
}

/* ---- 2. the same bytes as the async build ----------------------------------------------- */

static void test_same_bytes_as_formatter(void **state)
{
    (void)state;
    pipe_reader r;
    pipe_reader_start(&r, 1);
    log_config c;
    log_config_defaults(&c);
    c.fd = r.write_fd;
    assert_int_equal(log_start(&c), 0);
    log_message(LOG_LEVEL_WARN, "model %s: %d tokens\tin %.1f s%c", "claude", 1234, 2.5, '\n');
    log_stop();
    assert_true(pipe_reader_finish(&r));

    log_line want;
    format_reference_line(&want, LOG_LEVEL_WARN, "model %s: %d tokens\tin %.1f s%c", "claude",
                          1234, 2.5, '\n');
    assert_int_equal(r.len, want.len);
    assert_memory_equal(r.data + LOG_TIMESTAMP_LEN, want.text + LOG_TIMESTAMP_LEN,
                        want.len - LOG_TIMESTAMP_LEN);
    assert_true(line_has_format(r.data, r.len, "WARN", "model claude: 1234 tokens\tin 2.5 s\\n"));
    log_line_release(&want);
    pipe_reader_destroy(&r);
}

static void test_truncation_and_escaping(void **state)
{
    (void)state;
    pipe_reader r;
    pipe_reader_start(&r, 1);
    log_config c;
    log_config_defaults(&c);
    c.fd = r.write_fd;
    c.max_line_bytes = 256;
    assert_int_equal(log_start(&c), 0);
    char big[1001];
    memset(big, 'q', 1000);
    big[1000] = '\0';
    log_message(LOG_LEVEL_INFO, "%s", big);
    log_message(LOG_LEVEL_ERROR, "a\nb%c", 0x1b);
    log_stop();
    assert_true(pipe_reader_finish(&r));

    log_stats s = stats_now();
    assert_int_equal(s.lines_truncated, 1);
    const char *nl = memchr(r.data, '\n', r.len);
    assert_non_null(nl);
    size_t first_len = (size_t)(nl - r.data) + 1;
    assert_true(first_len <= 256);
    assert_non_null(memmem(r.data, first_len, " ...[truncated ", 15));
    assert_true(line_has_format(nl + 1, r.len - first_len, "ERROR", "a\\nb\\x1b"));
    pipe_reader_destroy(&r);
}

/* ---- 3. counters ---------------------------------------------------------------------- */

static void test_counters(void **state)
{
    (void)state;
    log_message(LOG_LEVEL_ERROR, "before start");
    pipe_reader r;
    pipe_reader_start(&r, 1);
    log_config c;
    log_config_defaults(&c);
    c.fd = r.write_fd;
    c.min_level = LOG_LEVEL_WARN;
    assert_int_equal(log_start(&c), 0);
    assert_int_equal(log_start(&c), -1); /* already running */
    log_stats s = stats_now();
    assert_int_equal(s.lines_logged, 0); /* log_start() resets */
    assert_false(log_enabled(LOG_LEVEL_INFO));
    LOG_INFO("filtered: never counted");
    for (int i = 0; i < 50; i++)
        LOG_WARN("warn %d", i);
    log_set_level(LOG_LEVEL_DEBUG);
    LOG_DEBUG("now visible");
    log_stop();
    log_stop(); /* idempotent */
    LOG_ERROR("after stop");

    s = stats_now();
    assert_int_equal(s.lines_logged, 52);
    assert_int_equal(s.lines_written, 51);
    assert_int_equal(s.lines_dropped, 1);
    assert_int_equal(s.lines_queued, 0);
    assert_true(stats_balance(&s));
    assert_int_equal(s.write_errors, 0);
    assert_int_equal(s.gap_lines, 0);
    assert_int_equal(s.queue_budget_bytes, 0);
    assert_true(pipe_reader_finish(&r));
    assert_int_equal(r.len, s.bytes_written);
    assert_int_equal(count_lines_containing(r.data, r.len, " WARN warn "), 50);
    assert_int_equal(count_lines_containing(r.data, r.len, "filtered"), 0);
    pipe_reader_destroy(&r);
}

static void test_write_errors_counted(void **state)
{
    (void)state;
    int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        skip(); /* no /dev/full on this system (macOS) */
        return;
    }
    log_config c;
    log_config_defaults(&c);
    c.fd = fd;
    assert_int_equal(log_start(&c), 0);
    for (int i = 0; i < 10; i++)
        log_message(LOG_LEVEL_INFO, "disk full %d", i);
    log_stop();
    log_stats s = stats_now();
    assert_int_equal(s.lines_logged, 10);
    assert_int_equal(s.lines_dropped, 10);
    assert_int_equal(s.write_errors, 10);
    assert_int_equal(s.bytes_dropped, s.bytes_logged);
    close(fd);
}

/* EPIPE when the process ignores SIGPIPE, as the proxy's main does for both builds. */
static void test_epipe_counted_when_sigpipe_ignored(void **state)
{
    (void)state;
    struct sigaction ignore, previous;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    assert_int_equal(sigaction(SIGPIPE, &ignore, &previous), 0);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    close(fds[0]);
    log_config c;
    log_config_defaults(&c);
    c.fd = fds[1];
    assert_int_equal(log_start(&c), 0);
    log_message(LOG_LEVEL_INFO, "nobody listens");
    log_stop();
    log_stats s = stats_now();
    assert_int_equal(s.write_errors, 1);
    assert_int_equal(s.lines_dropped, 1);
    close(fds[1]);
    assert_int_equal(sigaction(SIGPIPE, &previous, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_full_pipe_blocks_every_logging_thread, teardown_stop_logger),
        cmocka_unit_test_teardown(test_same_bytes_as_formatter, teardown_stop_logger),
        cmocka_unit_test_teardown(test_truncation_and_escaping, teardown_stop_logger),
        cmocka_unit_test_teardown(test_counters, teardown_stop_logger),
        cmocka_unit_test_teardown(test_write_errors_counted, teardown_stop_logger),
        cmocka_unit_test_teardown(test_epipe_counted_when_sigpipe_ignored, teardown_stop_logger),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
