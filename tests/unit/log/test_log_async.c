/* test_log_async.c: the async logger (the fix) never blocks its callers, bounds its queue,
 * counts and shows every loss, leaves the log fd's flags alone, survives a vanished reader and
 * stops within its flush deadline. Every test writes into a pipe it owns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log/log.h"
#include "log/log_format.h"
#include "log/log_sink.h"
#include "log_test_lines.h"
#include "log_test_support.h"
#include "platform/platform.h"

/* ---- helpers ------------------------------------------------------------------------- */

static log_config config_for(int fd)
{
    log_config c;
    log_config_defaults(&c);
    c.fd = fd;
    c.flush_deadline_ms = TEST_DEADLINE_MS; /* draining tests finish long before */
    return c;
}

typedef struct text_line {
    const char *text;
    size_t len; /* including the newline */
} text_line;

/* Steps through data line by line. Returns 0 at the end (or at an unterminated tail). */
static int next_line(const char **cursor, const char *end, text_line *out)
{
    if (*cursor >= end)
        return 0;
    const char *nl = memchr(*cursor, '\n', (size_t)(end - *cursor));
    if (!nl)
        return 0;
    out->text = *cursor;
    out->len = (size_t)(nl - *cursor) + 1;
    *cursor = nl + 1;
    return 1;
}

/* Parses a gap line ("<ts> WARN log: dropped N lines (M bytes)"). */
static int parse_gap_line(const text_line *line, unsigned long long *n, unsigned long long *m)
{
    static const char tag[] = " WARN log: dropped ";
    if (line->len < LOG_TIMESTAMP_LEN + sizeof tag ||
        memcmp(line->text + LOG_TIMESTAMP_LEN, tag, sizeof tag - 1) != 0)
        return 0;
    char copy[LOG_GAP_LINE_MAX];
    size_t len = line->len < sizeof copy ? line->len : sizeof copy - 1;
    memcpy(copy, line->text, len);
    copy[len] = '\0';
    char tail[4];
    return sscanf(copy + LOG_TIMESTAMP_LEN + sizeof tag - 1, "%llu lines (%llu bytes)%1[\n]", n, m,
                  tail) == 3;
}

typedef struct gap_summary {
    uint64_t count, lines, bytes, line_bytes;
} gap_summary;

static gap_summary summarize_gaps(const char *data, size_t len)
{
    gap_summary g = {0, 0, 0, 0};
    const char *cursor = data;
    text_line line = {NULL, 0};
    while (next_line(&cursor, data + len, &line)) {
        unsigned long long n, m;
        if (parse_gap_line(&line, &n, &m)) {
            g.count++;
            g.lines += n;
            g.bytes += m;
            g.line_bytes += line.len;
        }
    }
    return g;
}

static int queue_is_empty(const log_stats *s, const void *arg)
{
    (void)arg;
    return s->lines_queued == 0 && s->bytes_queued == 0;
}

static int write_errors_seen(const log_stats *s, const void *arg)
{
    (void)arg;
    return s->write_errors > 0;
}

static int lines_written_at_least(const log_stats *s, const void *arg)
{
    return s->lines_written >= *(const uint64_t *)arg;
}

static int teardown_stop_logger(void **state)
{
    (void)state;
    log_stop();
    return 0;
}

/* ---- 1. intact, in order, exact format ---------------------------------------------- */

static void test_lines_arrive_intact_in_order(void **state)
{
    (void)state;
    pipe_reader r;
    pipe_reader_start(&r, 1);
    log_config c = config_for(r.write_fd);
    assert_int_equal(log_start(&c), 0);
    assert_string_equal(log_implementation(), "async");
    const int count = 3000;
    for (int i = 0; i < count; i++) {
        log_level level = (log_level)(LOG_LEVEL_INFO + i % 3);
        log_message(level, "line %d of %d", i, count);
    }
    log_stop();
    assert_true(pipe_reader_finish(&r));

    const char *cursor = r.data;
    text_line line = {NULL, 0};
    int seen = 0;
    while (next_line(&cursor, r.data + r.len, &line)) {
        char message[64];
        snprintf(message, sizeof message, "line %d of %d", seen, count);
        assert_true(line_has_format(
            line.text, line.len, log_level_name((log_level)(LOG_LEVEL_INFO + seen % 3)), message));
        seen++;
    }
    assert_int_equal(seen, count);
    assert_ptr_equal(cursor, r.data + r.len);
    log_stats s = stats_now();
    assert_int_equal(s.lines_logged, count);
    assert_int_equal(s.lines_written, count);
    assert_int_equal(s.lines_dropped, 0);
    assert_int_equal(s.bytes_written, r.len);
    assert_int_equal(s.bytes_logged, r.len);
    assert_true(stats_balance(&s));
    pipe_reader_destroy(&r);
}

/* ---- 1b, 8, 9 and levels: what one run writes, line by line (table) ------------------ */

/* The lines a case expects, in order; a NULL message is checked by the case's own check. */
typedef struct want_line {
    const char *level, *message;
} want_line;

typedef struct output_case {
    const char *name;
    size_t max_line_bytes; /* 0: the default */
    log_level min_level;   /* the configured level */
    void (*feed)(void);    /* the calls the case makes */
    want_line want[4];
    size_t lines; /* how many of want[] */
    uint64_t logged, truncated;
    void (*check)(const pipe_reader *r); /* more checks on the output, or NULL */
} output_case;

#define FORMATTER_ARGS "model %s: %d tokens\tin %.1f s%c", "claude", 1234, 2.5, '\n'

static void feed_formatter_line(void)
{
    log_message(LOG_LEVEL_WARN, FORMATTER_ARGS);
}

/* The async build writes the very bytes log_format.c produces (the blocking test checks the
 * same), so both builds emit identical lines. */
static void check_formatter_bytes(const pipe_reader *r)
{
    log_line want;
    format_reference_line(&want, LOG_LEVEL_WARN, FORMATTER_ARGS);
    assert_int_equal(r->len, want.len);
    assert_memory_equal(r->data + LOG_TIMESTAMP_LEN, want.text + LOG_TIMESTAMP_LEN,
                        want.len - LOG_TIMESTAMP_LEN);
    log_line_release(&want);
}

static void feed_oversized_line(void)
{
    char big[2001];
    memset(big, 'q', 2000);
    big[2000] = '\0';
    log_message(LOG_LEVEL_INFO, "%s", big);
    log_message(LOG_LEVEL_INFO, "short");
}

/* The cut line stays within the limit and says how much it left out. */
static void check_truncation_marker(const pipe_reader *r)
{
    const char *cursor = r->data;
    text_line line = {NULL, 0};
    assert_true(next_line(&cursor, r->data + r->len, &line));
    assert_true(line.len <= 256);
    const char *marker = memmem(line.text, line.len, " ...[truncated ", 15);
    assert_non_null(marker);
    unsigned long omitted = strtoul(marker + 15, NULL, 10);
    size_t kept = (size_t)(marker - (line.text + LOG_TIMESTAMP_LEN + strlen(" INFO ")));
    assert_int_equal(kept + omitted, 2000);
}

static void feed_control_characters(void)
{
    log_message(LOG_LEVEL_ERROR, "user said: %s",
                "hi\nFAKE 2000-01-01T00:00:00.000Z ERROR forged\r\x1b[2J\x7f\tok");
}

/* Lines below the level are neither written nor counted; the level can change while running. */
static void feed_levels(void)
{
    assert_false(log_enabled(LOG_LEVEL_INFO));
    assert_true(log_enabled(LOG_LEVEL_WARN));
    LOG_DEBUG("debug %d", 1);
    LOG_INFO("info %d", 2);
    LOG_WARN("warn %d", 3);
    LOG_ERROR("error %d", 4);
    log_set_level(LOG_LEVEL_DEBUG);
    assert_true(log_enabled(LOG_LEVEL_DEBUG));
    LOG_DEBUG("debug %d", 5);
}

static const output_case output_cases[] = {
    {"same bytes as the formatter",
     0,
     LOG_LEVEL_INFO,
     feed_formatter_line,
     {{"WARN", "model claude: 1234 tokens\tin 2.5 s\\n"}},
     1,
     1,
     0,
     check_formatter_bytes},
    {"truncation marker",
     256,
     LOG_LEVEL_INFO,
     feed_oversized_line,
     {{"INFO", NULL}, {"INFO", "short"}},
     2,
     2,
     1,
     check_truncation_marker},
    {"control characters escaped",
     0,
     LOG_LEVEL_INFO,
     feed_control_characters,
     {{"ERROR", "user said: hi\\nFAKE 2000-01-01T00:00:00.000Z ERROR forged\\r\\x1b[2J\\x7f\tok"}},
     1,
     1,
     0,
     NULL},
    {"level filter, not counted",
     0,
     LOG_LEVEL_WARN,
     feed_levels,
     {{"WARN", "warn 3"}, {"ERROR", "error 4"}, {"DEBUG", "debug 5"}},
     3,
     3,
     0,
     NULL},
};

static void test_output_case(void **state)
{
    const output_case *c = *state;
    pipe_reader r;
    pipe_reader_start(&r, 1);
    log_config config = config_for(r.write_fd);
    if (c->max_line_bytes)
        config.max_line_bytes = c->max_line_bytes;
    config.min_level = c->min_level;
    assert_int_equal(log_start(&config), 0);
    c->feed();
    log_stop();
    assert_true(pipe_reader_finish(&r));

    const char *cursor = r.data;
    text_line line = {NULL, 0};
    for (size_t i = 0; i < c->lines; i++) {
        assert_true(next_line(&cursor, r.data + r.len, &line));
        if (c->want[i].message &&
            !line_has_format(line.text, line.len, c->want[i].level, c->want[i].message))
            fail_msg("%s: line %zu is %.*s", c->name, i, (int)line.len, line.text);
    }
    assert_false(next_line(&cursor, r.data + r.len, &line));
    log_stats s = stats_now();
    assert_int_equal(s.lines_logged, c->logged);
    assert_int_equal(s.lines_written, c->lines);
    assert_int_equal(s.lines_truncated, c->truncated);
    assert_int_equal(s.bytes_written, r.len);
    if (c->check)
        c->check(&r);
    pipe_reader_destroy(&r);
}

/* ---- 2. never blocks on a stalled pipe ------------------------------------------------ */

enum { STALL_THREADS = 2, STALL_LINES_PER_THREAD = 50000 };
static char kib_payload[1025];

static void *log_kib_lines(void *arg)
{
    (void)arg;
    for (int i = 0; i < STALL_LINES_PER_THREAD; i++)
        log_message(LOG_LEVEL_INFO, "%d %s", i, kib_payload);
    return NULL;
}

static int setup_payload(void **state)
{
    (void)state;
    memset(kib_payload, 'k', sizeof kib_payload - 1);
    return 0;
}

static void test_never_blocks_on_stalled_pipe(void **state)
{
    (void)state;
    pipe_reader r;
    pipe_reader_start(&r, 0); /* nobody reads: the launcher that stopped reading */
    log_config c = config_for(r.write_fd);
    c.flush_deadline_ms = 300;
    assert_int_equal(log_start(&c), 0);

    /* 100,000 lines of 1 KiB (~100 MB) against a 64 KiB pipe and a 4 MiB queue. A blocking
     * logger would hang here; the watchdog turns that into a failure. */
    assert_true(run_threads_bounded(STALL_THREADS, log_kib_lines, NULL, TEST_DEADLINE_MS));

    log_stats s = stats_now();
    assert_int_equal(s.lines_logged, STALL_THREADS * STALL_LINES_PER_THREAD);
    assert_true(s.lines_dropped > 0);
    assert_true(s.bytes_queued <= c.queue_bytes);
    assert_true(stats_balance(&s));

    int64_t started = test_now_ms();
    log_stop();
    assert_true(test_now_ms() - started < 5000);
    s = stats_now();
    assert_int_equal(s.lines_queued, 0);
    assert_int_equal(s.lines_written + s.lines_dropped, s.lines_logged);
    assert_int_equal(s.bytes_written + s.bytes_dropped, s.bytes_logged);

    assert_true(pipe_reader_finish(&r));
    pipe_reader_destroy(&r);
}

/* ---- 3. exact accounting, with gaps, while a reader comes and goes ---------------------- */

static void test_exact_accounting_after_stop(void **state)
{
    (void)state;
    pipe_reader r;
    pipe_reader_start(&r, 0);
    log_config c = config_for(r.write_fd);
    c.queue_bytes = 32 * 1024;
    assert_int_equal(log_start(&c), 0);

    for (int i = 0; i < 4000; i++)
        log_message(LOG_LEVEL_INFO, "stalled %d %.*s", i, i % 150, kib_payload);
    pipe_reader_resume(&r);
    for (int i = 0; i < 4000; i++)
        log_message(LOG_LEVEL_ERROR, "draining %d %.*s", i, i % 150, kib_payload);
    log_stop();
    assert_true(pipe_reader_finish(&r));

    log_stats s = stats_now();
    assert_int_equal(s.lines_logged, 8000);
    assert_true(s.lines_dropped > 0);
    assert_int_equal(s.lines_queued, 0);
    assert_int_equal(s.bytes_queued, 0);
    assert_int_equal(s.lines_written + s.lines_dropped, s.lines_logged);
    assert_int_equal(s.bytes_written + s.bytes_dropped, s.bytes_logged);

    /* Every byte in the pipe is a written line or a gap line, and every drop was announced
     * (the reader drained everything within the flush deadline). */
    gap_summary g = summarize_gaps(r.data, r.len);
    assert_int_equal(r.len, s.bytes_written + g.line_bytes);
    assert_int_equal(g.count, s.gap_lines);
    assert_int_equal(g.lines, s.lines_dropped);
    assert_int_equal(g.bytes, s.bytes_dropped);
    assert_int_equal(count_lines_containing(r.data, r.len, " INFO stalled ") +
                         count_lines_containing(r.data, r.len, " ERROR draining "),
                     s.lines_written);
    pipe_reader_destroy(&r);
}

/* ---- 4. the gap line sits exactly at the gap ------------------------------------------ */

#define GAP_LINE_FORMAT "seq %06d %s"

static void test_gap_line_sits_at_the_gap(void **state)
{
    (void)state;
    pipe_reader r;
    pipe_reader_start(&r, 0);
    size_t filler = fill_pipe(r.write_fd); /* the sink takes nothing: the queue decides */
    assert_true(filler > 0);
    log_config c = config_for(r.write_fd);
    c.queue_bytes = 16 * 1024;
    assert_int_equal(log_start(&c), 0);

    const char *pad = "padding-padding-padding-padding-padding-padding";
    const int total = 1000;
    for (int i = 0; i < total; i++)
        log_message(LOG_LEVEL_INFO, GAP_LINE_FORMAT, i, pad);
    log_stats during = stats_now();
    assert_true(during.lines_dropped > 0);
    const uint64_t line_len = during.bytes_logged / during.lines_logged;
    assert_int_equal(during.bytes_logged, line_len * (uint64_t)total);
    /* Drop-newest with equal lines: exactly what fits is kept, the rest is dropped. */
    const uint64_t kept = c.queue_bytes / line_len;
    assert_int_equal(during.lines_queued, kept);
    assert_int_equal(during.lines_dropped, total - kept);

    pipe_reader_resume(&r);
    assert_true(wait_for_stats(queue_is_empty, NULL, TEST_DEADLINE_MS));
    log_message(LOG_LEVEL_INFO, GAP_LINE_FORMAT, total, pad);
    log_stop();
    assert_true(pipe_reader_finish(&r));

    log_stats s = stats_now();
    assert_int_equal(s.gap_lines, 1);
    assert_int_equal(s.lines_written, kept + 1);
    const char *cursor = r.data + filler;
    const char *end = r.data + r.len;
    text_line line = {NULL, 0};
    for (uint64_t i = 0; i < kept; i++) {
        char message[128];
        snprintf(message, sizeof message, GAP_LINE_FORMAT, (int)i, pad);
        assert_true(next_line(&cursor, end, &line));
        assert_true(line_has_format(line.text, line.len, "INFO", message));
    }
    assert_true(next_line(&cursor, end, &line));
    unsigned long long n = 0, m = 0;
    assert_true(parse_gap_line(&line, &n, &m));
    assert_int_equal(n, s.lines_dropped);
    assert_int_equal(m, s.bytes_dropped);
    assert_int_equal(m, n * line_len);
    assert_true(next_line(&cursor, end, &line));
    char last[128];
    snprintf(last, sizeof last, GAP_LINE_FORMAT, total, pad);
    assert_true(line_has_format(line.text, line.len, "INFO", last));
    assert_false(next_line(&cursor, end, &line));
    pipe_reader_destroy(&r);
}

/* ---- bounds: bytes and lines, drops announced at stop (table) --------------------------- */

/* Equal lines into a queue the sink never drains (the pipe is full): exactly what fits one
 * bound or the other is kept, the rest is dropped; when the reader comes back everything kept
 * is written, and the drops, which no later line announces, get one gap line, the last one. */
typedef struct bound_case {
    const char *name;
    size_t queue_bytes, queue_lines; /* 0: the default */
    int lines;
} bound_case;

static const bound_case bound_cases[] = {
    {"line bound", 0, 10, 100},
    {"byte bound, 16 KiB", 16 * 1024, 0, 1000},
    {"byte bound, 8 KiB (the smallest honoured is 4 KiB)", 8 * 1024, 0, 500},
    {"both bounds, the line bound first", 64 * 1024, 40, 300},
};

#define BOUND_LINE_FORMAT "bounded %06d padding-padding-padding"

static void test_bound_case(void **state)
{
    const bound_case *c = *state;
    pipe_reader r;
    pipe_reader_start(&r, 0);
    size_t filler = fill_pipe(r.write_fd); /* the sink takes nothing: the queue decides */
    assert_true(filler > 0);
    log_config config = config_for(r.write_fd);
    if (c->queue_bytes)
        config.queue_bytes = c->queue_bytes;
    if (c->queue_lines)
        config.queue_lines = c->queue_lines;
    assert_int_equal(log_start(&config), 0);
    for (int i = 0; i < c->lines; i++)
        log_message(LOG_LEVEL_INFO, BOUND_LINE_FORMAT, i);

    log_stats during = stats_now();
    const uint64_t line_len = during.bytes_logged / during.lines_logged;
    assert_int_equal(during.bytes_logged, line_len * (uint64_t)c->lines);
    uint64_t kept = config.queue_bytes / line_len;
    if (kept > config.queue_lines)
        kept = config.queue_lines;
    if (during.lines_queued != kept)
        fail_msg("%s: %llu queued, want %llu", c->name, (unsigned long long)during.lines_queued,
                 (unsigned long long)kept);
    assert_int_equal(during.lines_dropped, (uint64_t)c->lines - kept);
    assert_true(during.bytes_queued <= config.queue_bytes);
    assert_true(stats_balance(&during));

    pipe_reader_resume(&r);
    assert_true(wait_for_stats(queue_is_empty, NULL, TEST_DEADLINE_MS));
    log_stop();
    assert_true(pipe_reader_finish(&r));
    log_stats s = stats_now();
    assert_int_equal(s.lines_written, kept);
    assert_int_equal(s.lines_dropped, during.lines_dropped);
    assert_int_equal(s.gap_lines, 1);
    assert_int_equal(count_lines_containing(r.data + filler, r.len - filler, " INFO bounded "),
                     kept);
    gap_summary g = summarize_gaps(r.data + filler, r.len - filler);
    assert_int_equal(g.count, 1);
    assert_int_equal(g.lines, during.lines_dropped);
    assert_int_equal(g.bytes, during.bytes_dropped);
    const char *tail = r.data + r.len - g.line_bytes; /* it is the last line */
    assert_memory_equal(tail + LOG_TIMESTAMP_LEN, " WARN log: dropped ", 19);
    pipe_reader_destroy(&r);
}

/* ---- 5. exit deadline ------------------------------------------------------------------ */

static void test_stop_returns_within_flush_deadline(void **state)
{
    (void)state;
    pipe_reader r;
    pipe_reader_start(&r, 0);
    size_t filler = fill_pipe(r.write_fd);
    assert_true(filler > 0);
    int flags_before = fcntl(r.write_fd, F_GETFL);
    log_config c = config_for(r.write_fd);
    c.flush_deadline_ms = 300;
    assert_int_equal(log_start(&c), 0);
    for (int i = 0; i < 100000 && stats_now().lines_dropped == 0; i++)
        log_message(LOG_LEVEL_INFO, "%d %s", i, kib_payload);
    log_stats full = stats_now();
    assert_true(full.lines_dropped > 0);
    assert_true(full.lines_queued > 0);

    int64_t started = test_now_ms();
    log_stop();
    int64_t took = test_now_ms() - started;
    assert_true(took >= 290); /* it did try to flush for the whole deadline */
    assert_true(took < 5000);

    log_stats s = stats_now();
    assert_int_equal(s.lines_queued, 0);
    assert_int_equal(s.lines_written, 0);
    assert_int_equal(s.lines_dropped, s.lines_logged);
    assert_int_equal(s.bytes_dropped, s.bytes_logged);
    assert_int_equal(fcntl(r.write_fd, F_GETFL), flags_before);
    assert_true(pipe_reader_finish(&r));
    assert_int_equal(r.len, filler);
    pipe_reader_destroy(&r);
}

/* ---- 6. a vanished reader: EPIPE, not death by SIGPIPE -------------------------------- */

/* Makes SIGPIPE deadly again, whatever the test runner passed down (an ignored or blocked
 * signal survives exec): if the logger ever let a SIGPIPE through, this process would die. */
static void make_sigpipe_deadly(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGPIPE, &sa, NULL), 0);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    assert_int_equal(pthread_sigmask(SIG_UNBLOCK, &set, NULL), 0);
}

static void check_sigpipe_still_deadly(void)
{
    struct sigaction sa;
    assert_int_equal(sigaction(SIGPIPE, NULL, &sa), 0);
    assert_true(sa.sa_handler == SIG_DFL);
}

/* Both ways a reader goes away (table): before the logger starts, or after lines went out.
 * Either way the drain thread gets EPIPE once, the process lives, and every line from then on
 * is dropped and counted. */
typedef struct epipe_case {
    const char *name;
    int close_before_start;
    int heard;   /* lines logged (and, with a reader, written) before it goes away */
    int unheard; /* lines logged until the error is seen */
    int after;   /* lines logged after the error */
} epipe_case;

static const epipe_case epipe_cases[] = {
    {"reader closed before start", 1, 0, 100, 100},
    {"reader closed while logging", 0, 10, 50, 50},
};

static void test_epipe_case(void **state)
{
    const epipe_case *c = *state;
    make_sigpipe_deadly();
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    int flags_before = fcntl(fds[1], F_GETFL);
    if (c->close_before_start)
        close(fds[0]);
    log_config config = config_for(fds[1]);
    assert_int_equal(log_start(&config), 0);
    for (int i = 0; i < c->heard; i++)
        log_message(LOG_LEVEL_INFO, "heard %d", i);
    if (!c->close_before_start) {
        const uint64_t heard = (uint64_t)c->heard;
        assert_true(wait_for_stats(lines_written_at_least, &heard, TEST_DEADLINE_MS));
        close(fds[0]); /* the launcher goes away */
    }
    for (int i = 0; i < c->unheard; i++)
        log_message(LOG_LEVEL_INFO, "unheard %d", i);
    assert_true(wait_for_stats(write_errors_seen, NULL, TEST_DEADLINE_MS));
    for (int i = 0; i < c->after; i++)
        log_message(LOG_LEVEL_INFO, "after the error %d", i);

    const uint64_t total = (uint64_t)(c->heard + c->unheard + c->after);
    log_stats s = stats_now();
    assert_int_equal(s.lines_logged, total);
    assert_int_equal(s.lines_written, c->heard);
    assert_true(s.lines_dropped >= (uint64_t)c->after);
    assert_true(stats_balance(&s));
    log_stop();
    s = stats_now();
    assert_int_equal(s.lines_written + s.lines_dropped, total);
    assert_int_equal(s.lines_dropped, (uint64_t)(c->unheard + c->after));
    assert_int_equal(s.bytes_written + s.bytes_dropped, s.bytes_logged);
    assert_int_equal(s.write_errors, 1);
    assert_int_equal(fcntl(fds[1], F_GETFL), flags_before);
    check_sigpipe_still_deadly();
    close(fds[1]); /* fds[0] is closed in both cases */
}

/* ---- 7. the fd's flags are never touched ---------------------------------------------- */

static void test_fd_flags_unchanged(void **state)
{
    (void)state;
    pipe_reader r;
    pipe_reader_start(&r, 0);
    int flags_before = fcntl(r.write_fd, F_GETFL);
    int fd_flags_before = fcntl(r.write_fd, F_GETFD);
    assert_false(flags_before & O_NONBLOCK);
    log_config c = config_for(r.write_fd);
    c.flush_deadline_ms = 200;
    assert_int_equal(log_start(&c), 0);
    for (int i = 0; i < 20000; i++)
        log_message(LOG_LEVEL_INFO, "stall %d %.*s", i, 200, kib_payload);
    assert_int_equal(fcntl(r.write_fd, F_GETFL), flags_before);
    log_stop();
    assert_int_equal(fcntl(r.write_fd, F_GETFL), flags_before);
    assert_int_equal(fcntl(r.write_fd, F_GETFD), fd_flags_before);
    assert_true(pipe_reader_finish(&r));
    pipe_reader_destroy(&r);
}

/* ---- 10. many threads, one line per call, never interleaved ---------------------------- */

enum { MANY_THREADS = 4, MANY_LINES = 5000 };

static void build_payload(int thread, int seq, char *out, size_t size)
{
    size_t len = 40 + (size_t)((thread * 37 + seq * 13) % 300);
    if (len >= size)
        len = size - 1;
    for (size_t i = 0; i < len; i++)
        out[i] = (char)('a' + (thread + seq + (int)i) % 26);
    out[len] = '\0';
}

static void *log_numbered_lines(void *arg)
{
    int thread = (int)(intptr_t)arg;
    char payload[400];
    for (int seq = 0; seq < MANY_LINES; seq++) {
        build_payload(thread, seq, payload, sizeof payload);
        log_message(LOG_LEVEL_INFO, "t%d s%d %s", thread, seq, payload);
    }
    return NULL;
}

static void test_threads_lines_never_interleave(void **state)
{
    (void)state;
    pipe_reader r;
    pipe_reader_start(&r, 1);
    log_config c = config_for(r.write_fd);
    c.queue_bytes = 64 * 1024 * 1024; /* room for everything: this test is about whole lines */
    c.queue_lines = 1 << 20;
    assert_int_equal(log_start(&c), 0);
    void *args[MANY_THREADS];
    for (int t = 0; t < MANY_THREADS; t++)
        args[t] = (void *)(intptr_t)t;
    assert_true(run_threads_bounded(MANY_THREADS, log_numbered_lines, args, TEST_DEADLINE_MS));
    log_stop();
    assert_true(pipe_reader_finish(&r));

    int next_seq[MANY_THREADS] = {0};
    const char *cursor = r.data;
    text_line line = {NULL, 0};
    int total = 0;
    while (next_line(&cursor, r.data + r.len, &line)) {
        int thread = -1, seq = -1;
        int fields = line.len > LOG_TIMESTAMP_LEN + 6
                         ? sscanf(line.text + LOG_TIMESTAMP_LEN, " INFO t%d s%d ", &thread, &seq)
                         : 0;
        if (fields != 2 || thread < 0 || thread >= MANY_THREADS || seq != next_seq[thread])
            fail_msg("line %d (byte %td of %zu) is not the next line of a thread: '%.*s' (the "
                     "line before: '%.*s')",
                     total, line.text - r.data, r.len, (int)(line.len > 300 ? 300 : line.len),
                     line.text, (int)(line.text - r.data > 120 ? 120 : line.text - r.data),
                     line.text - (line.text - r.data > 120 ? 120 : line.text - r.data));
        next_seq[thread]++;
        char payload[400], message[512];
        build_payload(thread, seq, payload, sizeof payload);
        snprintf(message, sizeof message, "t%d s%d %s", thread, seq, payload);
        assert_true(line_has_format(line.text, line.len, "INFO", message));
        total++;
    }
    assert_ptr_equal(cursor, r.data + r.len);
    assert_int_equal(total, MANY_THREADS * MANY_LINES);
    log_stats s = stats_now();
    assert_int_equal(s.lines_dropped, 0);
    assert_int_equal(s.bytes_written, r.len);
    assert_true(s.drain_wakeups <= s.lines_logged);
    pipe_reader_destroy(&r);
}

/* ---- 11. a sink that fails every write -------------------------------------------------- */

static void test_dev_full_counts_write_errors(void **state)
{
    (void)state;
    int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        skip(); /* no /dev/full on this system (macOS) */
        return;
    }
    log_config c = config_for(fd);
    assert_int_equal(log_start(&c), 0);
    for (int i = 0; i < 1000; i++)
        log_message(LOG_LEVEL_INFO, "into the void %d", i);
    assert_true(wait_for_stats(queue_is_empty, NULL, TEST_DEADLINE_MS));
    log_stats s = stats_now();
    assert_true(s.write_errors > 0);
    assert_int_equal(s.lines_written, 0);
    assert_true(stats_balance(&s));
    /* A failing sink is not a vanished one: lines keep being accepted and tried. */
    log_message(LOG_LEVEL_INFO, "one more");
    log_stop();
    s = stats_now();
    assert_int_equal(s.lines_logged, 1001);
    assert_int_equal(s.lines_dropped, 1001);
    assert_int_equal(s.bytes_dropped, s.bytes_logged);
    assert_true(s.write_errors >= 2);
    close(fd);
}

/* A regular file is written freely, the same bytes as a pipe gets. */
static void test_regular_file_sink(void **state)
{
    (void)state;
    char path[] = "/tmp/kiro-log-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    log_config c = config_for(fd);
    assert_int_equal(log_start(&c), 0);
    for (int i = 0; i < 100; i++)
        log_message(LOG_LEVEL_INFO, "file line %d", i);
    log_stop();
    log_stats s = stats_now();
    assert_int_equal(s.lines_written, 100);
    off_t size = lseek(fd, 0, SEEK_END);
    assert_int_equal((uint64_t)size, s.bytes_written);
    char *data = malloc((size_t)size);
    assert_non_null(data);
    assert_int_equal(pread(fd, data, (size_t)size, 0), size);
    const char *cursor = data;
    text_line line = {NULL, 0};
    for (int i = 0; i < 100; i++) {
        char message[32];
        snprintf(message, sizeof message, "file line %d", i);
        assert_true(next_line(&cursor, data + size, &line));
        assert_true(line_has_format(line.text, line.len, "INFO", message));
    }
    free(data);
    close(fd);
}

/* ---- 12. restart, levels, lifecycle ---------------------------------------------------- */

static void test_restart_resets_counters(void **state)
{
    (void)state;
    for (int run = 0; run < 3; run++) {
        pipe_reader r;
        pipe_reader_start(&r, 1);
        log_config c = config_for(r.write_fd);
        c.queue_bytes = 64 * 1024 + (size_t)run;
        assert_int_equal(log_start(&c), 0);
        log_stats s = stats_now();
        assert_int_equal(s.lines_logged, 0);
        assert_int_equal(s.lines_written, 0);
        assert_int_equal(s.queue_budget_bytes, c.queue_bytes);
        for (int i = 0; i <= run; i++)
            log_message(LOG_LEVEL_INFO, "run %d line %d", run, i);
        log_stop();
        log_stop(); /* idempotent */
        s = stats_now();
        assert_int_equal(s.lines_logged, run + 1);
        assert_int_equal(s.lines_written, run + 1);
        assert_true(pipe_reader_finish(&r));
        assert_int_equal(count_lines_containing(r.data, r.len, "run "), run + 1);
        pipe_reader_destroy(&r);
    }
}

static void test_before_start_and_after_stop_lines_are_dropped(void **state)
{
    (void)state;
    pipe_reader r;
    pipe_reader_start(&r, 1);
    log_config c = config_for(r.write_fd);
    assert_int_equal(log_start(&c), 0);
    assert_int_equal(log_start(&c), -1); /* already running */
    log_message(LOG_LEVEL_INFO, "while running");
    log_stop();
    log_message(LOG_LEVEL_INFO, "after stop");
    log_message(LOG_LEVEL_ERROR, "after stop too");
    log_stats s = stats_now();
    assert_int_equal(s.lines_logged, 3);
    assert_int_equal(s.lines_written, 1);
    assert_int_equal(s.lines_dropped, 2);
    assert_true(stats_balance(&s));
    assert_int_equal(s.gap_lines, 0);
    assert_true(pipe_reader_finish(&r));
    assert_int_equal(count_lines_containing(r.data, r.len, "after stop"), 0);
    pipe_reader_destroy(&r);

    log_config bad = config_for(-1);
    assert_int_equal(log_start(&bad), -1);
}

/* Callers never wake the drain thread while the queue stays under 3/4 of its budget: it
 * finds their lines by polling, so a steady stream of log calls costs the callers no system call
 * (the old policy - wake it whenever it sleeps - fails this with a wakeup per idle gap). */
static void test_callers_do_not_wake_drain_below_threshold(void **state)
{
    (void)state;
    pipe_reader r;
    pipe_reader_start(&r, 1);
    log_config c = config_for(r.write_fd);
    assert_int_equal(log_start(&c), 0);
    for (int round = 0; round < 20; round++) {
        for (int i = 0; i < 50; i++)
            log_message(LOG_LEVEL_INFO, "steady %d.%d", round, i);
        /* Let the drain thread catch up and go back to sleep between bursts. */
        assert_true(wait_for_stats(queue_is_empty, NULL, TEST_DEADLINE_MS));
    }
    log_stats s = stats_now();
    assert_int_equal(s.lines_written, 1000);
    assert_int_equal(s.drain_wakeups, 0);
    log_stop();
    assert_true(pipe_reader_finish(&r));
    s = stats_now();
    assert_int_equal(r.len, s.bytes_written);
    pipe_reader_destroy(&r);
}

/* A burst past 3/4 of the queue while the drain thread sleeps wakes it: the lines are
 * written without waiting for its next poll, and nothing is dropped. */
static void test_burst_past_threshold_is_drained(void **state)
{
    (void)state;
    pipe_reader r;
    pipe_reader_start(&r, 1);
    log_config c = config_for(r.write_fd);
    c.queue_bytes = 64 * 1024;
    assert_int_equal(log_start(&c), 0);
    char text[200];
    memset(text, 'b', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    for (int i = 0; i < 220; i++) /* ~52 KiB: past 3/4 of the 64 KiB queue, under all of it */
        log_message(LOG_LEVEL_INFO, "%s %d", text, i);
    assert_true(wait_for_stats(queue_is_empty, NULL, TEST_DEADLINE_MS));
    log_stats s = stats_now();
    assert_int_equal(s.lines_dropped, 0);
    assert_int_equal(s.lines_written, 220);
    log_stop();
    assert_true(pipe_reader_finish(&r));
    pipe_reader_destroy(&r);
}

/* ---- log_sink: the drain thread's ways of writing ------------------------------------- */

static void test_sink_modes(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    int flags = fcntl(fds[1], F_GETFL);
    log_sink sink;
    log_sink_open(&sink, fds[1]);
    int reopen = platform_open_private_nonblocking_pipe(fds[1]);
    if (reopen >= 0) {
        close(reopen);
        assert_int_equal(sink.mode, LOG_SINK_PRIVATE_NONBLOCKING);
        assert_true(sink.private_fd >= 0);
        assert_true(fcntl(sink.private_fd, F_GETFL) & O_NONBLOCK);
    } else {
        assert_int_equal(sink.mode, LOG_SINK_POLL_THEN_ATOMIC);
    }
    assert_int_equal(fcntl(fds[1], F_GETFL), flags);
    log_sink_close(&sink);
    close(fds[0]);
    close(fds[1]);

    int devnull = open("/dev/null", O_WRONLY);
    assert_true(devnull >= 0);
    log_sink_open(&sink, devnull);
    assert_int_equal(sink.mode, LOG_SINK_WRITE_FREELY);
    assert_int_equal(log_sink_write(&sink, "x\n", 2, 0), 2);
    log_sink_close(&sink);
    close(devnull);

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    log_sink_open(&sink, fds[0]);
#ifdef MSG_DONTWAIT
    assert_int_equal(sink.mode, LOG_SINK_SEND_DONTWAIT);
#endif
    assert_int_equal(log_sink_write(&sink, "abc\n", 4, 1000), 4);
    char got[4];
    assert_int_equal(read(fds[1], got, 4), 4);
    assert_memory_equal(got, "abc\n", 4);
    log_sink_close(&sink);
    close(fds[0]);
    close(fds[1]);
    assert_string_equal(log_sink_mode_name(LOG_SINK_POLL_THEN_ATOMIC), "poll-then-atomic");
}

typedef struct sink_write_case {
    log_sink sink;
    const char *data;
    size_t len;
    int wait_ms;
    ssize_t result;
    int err;
} sink_write_case;

static void *sink_write_in_thread(void *arg)
{
    sink_write_case *w = arg;
    log_sink_block_sigpipe();
    w->result = log_sink_write(&w->sink, w->data, w->len, w->wait_ms);
    w->err = errno;
    log_sink_consume_sigpipe();
    sigset_t pending;
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE))
        w->err = -1; /* a SIGPIPE was left behind */
    return NULL;
}

/* The portable path (macOS, or a pipe that cannot be re-opened): poll, then at most PIPE_BUF.
 * A full pipe gives 0 within the wait; a pipe with room takes at most PIPE_BUF bytes. */
static void test_poll_then_atomic_never_blocks(void **state)
{
    (void)state;
    make_sigpipe_deadly();
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    size_t filled = fill_pipe(fds[1]);
    assert_true(filled > 0);
    static char big[256 * 1024];
    memset(big, 'b', sizeof big);

    sink_write_case w;
    memset(&w, 0, sizeof w);
    w.sink.fd = fds[1];
    w.sink.private_fd = -1;
    w.sink.mode = LOG_SINK_POLL_THEN_ATOMIC;
    w.sink.atomic_bytes = platform_pipe_atomic_bytes();
    w.data = big;
    w.len = sizeof big;
    w.wait_ms = 50;
    void *args[1] = {&w};
    assert_true(run_threads_bounded(1, sink_write_in_thread, args, TEST_DEADLINE_MS));
    assert_int_equal(w.result, 0);

    /* Empty the pipe, then one call writes at most PIPE_BUF. */
    char *sink_buf = malloc(filled);
    assert_non_null(sink_buf);
    size_t got = 0;
    while (got < filled) {
        ssize_t n = read(fds[0], sink_buf, filled - got);
        assert_true(n > 0);
        got += (size_t)n;
    }
    free(sink_buf);
    w.wait_ms = TEST_DEADLINE_MS;
    assert_true(run_threads_bounded(1, sink_write_in_thread, args, TEST_DEADLINE_MS));
    assert_true(w.result > 0);
    assert_true((size_t)w.result <= platform_pipe_atomic_bytes());

    /* Reader gone: EPIPE, and the SIGPIPE it raised is consumed, never delivered. */
    close(fds[0]);
    assert_true(run_threads_bounded(1, sink_write_in_thread, args, TEST_DEADLINE_MS));
    assert_int_equal(w.result, -1);
    assert_int_equal(w.err, EPIPE);
    assert_true(log_sink_error_is_permanent(EPIPE));
    assert_false(log_sink_error_is_permanent(ENOSPC));
    check_sigpipe_still_deadly();
    close(fds[1]);
}

/* The private non-blocking description also gives 0 (not a hang) on a full pipe. */
static void test_private_nonblocking_never_blocks(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_true(fill_pipe(fds[1]) > 0);
    sink_write_case w;
    memset(&w, 0, sizeof w);
    log_sink_open(&w.sink, fds[1]);
    static char big[128 * 1024];
    memset(big, 'c', sizeof big);
    w.data = big;
    w.len = sizeof big;
    w.wait_ms = 50;
    void *args[1] = {&w};
    assert_true(run_threads_bounded(1, sink_write_in_thread, args, TEST_DEADLINE_MS));
    assert_int_equal(w.result, 0);
    log_sink_close(&w.sink);
    close(fds[0]);
    close(fds[1]);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* One cmocka test per table row, named after it. */
static void add_rows(struct CMUnitTest *tests, size_t *n, const char *table, const void *rows,
                     size_t row_size, size_t count, CMUnitTestFunction fn, char names[][96])
{
    for (size_t i = 0; i < count; i++) {
        const void *row = (const char *)rows + i * row_size;
        snprintf(names[*n], sizeof names[*n], "%s: %s", table, *(const char *const *)row);
        tests[*n] = (struct CMUnitTest){names[*n], fn, NULL, teardown_stop_logger, (void *)row};
        (*n)++;
    }
}

int main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test_teardown(test_lines_arrive_intact_in_order, teardown_stop_logger),
        cmocka_unit_test_teardown(test_never_blocks_on_stalled_pipe, teardown_stop_logger),
        cmocka_unit_test_teardown(test_exact_accounting_after_stop, teardown_stop_logger),
        cmocka_unit_test_teardown(test_gap_line_sits_at_the_gap, teardown_stop_logger),
        cmocka_unit_test_teardown(test_stop_returns_within_flush_deadline, teardown_stop_logger),
        cmocka_unit_test_teardown(test_fd_flags_unchanged, teardown_stop_logger),
        cmocka_unit_test_teardown(test_threads_lines_never_interleave, teardown_stop_logger),
        cmocka_unit_test_teardown(test_dev_full_counts_write_errors, teardown_stop_logger),
        cmocka_unit_test_teardown(test_regular_file_sink, teardown_stop_logger),
        cmocka_unit_test_teardown(test_restart_resets_counters, teardown_stop_logger),
        cmocka_unit_test_teardown(test_before_start_and_after_stop_lines_are_dropped,
                                  teardown_stop_logger),
        cmocka_unit_test_teardown(test_callers_do_not_wake_drain_below_threshold,
                                  teardown_stop_logger),
        cmocka_unit_test_teardown(test_burst_past_threshold_is_drained, teardown_stop_logger),
        cmocka_unit_test(test_sink_modes),
        cmocka_unit_test(test_poll_then_atomic_never_blocks),
        cmocka_unit_test(test_private_nonblocking_never_blocks),
    };
    enum { ROWS = COUNT(output_cases) + COUNT(bound_cases) + COUNT(epipe_cases) };
    static struct CMUnitTest tests[COUNT(fixed) + ROWS];
    static char names[COUNT(fixed) + ROWS][96];
    size_t n = 0;
    for (; n < COUNT(fixed); n++)
        tests[n] = fixed[n];
    add_rows(tests, &n, "output", output_cases, sizeof output_cases[0], COUNT(output_cases),
             test_output_case, names);
    add_rows(tests, &n, "bounds", bound_cases, sizeof bound_cases[0], COUNT(bound_cases),
             test_bound_case, names);
    add_rows(tests, &n, "epipe", epipe_cases, sizeof epipe_cases[0], COUNT(epipe_cases),
             test_epipe_case, names);
    return _cmocka_run_group_tests("test_log_async", tests, n, setup_payload, NULL);
}
