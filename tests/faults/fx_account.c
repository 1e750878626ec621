/* fx_account.c: the logger's books after a fault; see fx_account.h. */
#include "fx_account.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx_metrics.h"
#include "fx_rawhttp.h"

#define QUEUE_EMPTY_MS 20000
#define OUTPUT_MS 10000
#define TIMESTAMP_LEN 24 /* "2025-01-02T03:04:05.678Z" */

void fx_account_gap_lines(const char *text, long long *count, long long *lines, long long *bytes)
{
    static const char marker[] = " WARN log: dropped ";
    *count = *lines = *bytes = 0;
    for (const char *p = text; p && *p;) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        unsigned long long n = 0, m = 0;
        if (len > TIMESTAMP_LEN + sizeof marker &&
            strncmp(p + TIMESTAMP_LEN, marker, sizeof marker - 1) == 0 &&
            sscanf(p + TIMESTAMP_LEN + sizeof marker - 1, "%llu lines (%llu bytes)", &n, &m) == 2) {
            (*count)++;
            *lines += (long long)n;
            *bytes += (long long)m;
        }
        p = end ? end + 1 : NULL;
    }
}

typedef struct queue_wait {
    fx_stack *s;
    fx_metrics m;
    int answered;
    int seq;
    char marker[64];
    size_t from;
} queue_wait;

/* Any sink: a plain GET /metrics. Its own access line is usually still queued when it renders,
 * so this needs luck with the scheduler; fine where the sink drops lines at once. */
static int queue_empty(void *arg)
{
    queue_wait *w = arg;
    fx_metrics m;
    if (fx_metrics_get(w->s, 2000, &m) != 0)
        return 0;
    w->m = m;
    w->answered = 1;
    return m.lines_queued == 0;
}

static int own_line_read(void *arg)
{
    queue_wait *w = arg;
    return fx_logpipe_contains(w->s->log, w->marker, w->from);
}

/* A readable pipe: GET /metrics held between its head and its body until the test has read
 * the request's own access line from the pipe, so the snapshot is taken with that line out of
 * the queue; queued 0 then means the queue is really empty. */
static int queue_empty_held(void *arg)
{
    queue_wait *w = arg;
    char ua[64];
    w->seq++;
    snprintf(ua, sizeof ua, "User-Agent: fx-books-%d", w->seq);
    snprintf(w->marker, sizeof w->marker, "ua=fx-books-%d ", w->seq);
    w->from = (size_t)fx_logpipe_bytes_read(w->s->log);
    char *body = NULL;
    int status = fx_raw_get_split(w->s, "/metrics", ua, own_line_read, w, 5000, &body);
    fx_metrics m;
    int ok = status == 200 && body && fx_metrics_parse(body, &m) == 0;
    free(body);
    if (!ok)
        return 0;
    w->m = m;
    w->answered = 1;
    return m.lines_queued == 0;
}

typedef struct output_wait {
    fx_logpipe *log;
    long long lines;
} output_wait;

static int output_complete(void *arg)
{
    output_wait *w = arg;
    return fx_logpipe_lines_read(w->log) >= w->lines;
}

/* Linux: the proxy must not have made the open file description of its fd 2 non-blocking. */
static void check_fd2_flags(fx_run *run, fx_stack *s)
{
#ifdef __linux__
    char path[64], line[128];
    snprintf(path, sizeof path, "/proc/%d/fdinfo/2", (int)s->proxy_pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    unsigned long flags = 0;
    int found = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "flags: %lo", &flags) == 1)
            found = 1;
    fclose(f);
    if (found)
        FX_CHECK(run, (flags & O_NONBLOCK) == 0,
                 "the proxy leaves O_NONBLOCK off the shared description of its fd 2 (flags 0%lo)",
                 flags);
#else
    (void)run;
    (void)s;
#endif
}

static void verify_pipe(fx_run *run, fx_stack *s, const fx_metrics *m, int expect_drops)
{
    FX_CHECK(run, m->write_errors == 0, "no write errors on a pipe that only stalled (%lld)",
             m->write_errors);
    output_wait ow = {s->log, m->lines_written + m->gap_lines};
    FX_CHECK(run, fx_poll_until(OUTPUT_MS, 20, output_complete, &ow),
             "the drained output holds the %lld written lines and %lld gap lines (read %lld lines)",
             m->lines_written, m->gap_lines, fx_logpipe_lines_read(s->log));
    char *text = fx_logpipe_output(s->log, NULL);
    long long count = 0, lines = 0, bytes = 0;
    fx_account_gap_lines(text, &count, &lines, &bytes);
    free(text);
    FX_CHECK(run, count == m->gap_lines, "gap lines in the output (%lld) == kiro_log_gap_lines_total (%lld)",
             count, m->gap_lines);
    FX_CHECK(run, lines == m->lines_dropped,
             "the gap lines announce every dropped line: sum of N %lld == dropped %lld", lines,
             m->lines_dropped);
    FX_CHECK(run, bytes == m->bytes_dropped,
             "the gap lines announce every dropped byte: sum of M %lld == dropped %lld", bytes,
             m->bytes_dropped);
    if (expect_drops)
        FX_CHECK(run, m->lines_dropped > 0 && count > 0,
                 "the stall overflowed the queue: lines dropped (%lld) and announced (%lld gap lines)",
                 m->lines_dropped, count);
    fx_note(run, "log books: %lld logged = %lld written + %lld dropped; %lld gap lines announce %lld "
                 "lines", m->lines_logged, m->lines_written, m->lines_dropped, count, lines);
}

static void verify_broken(fx_run *run, fx_stack *s, const fx_metrics *m)
{
    FX_CHECK(run, m->write_errors >= 1, "the failing sink is counted in write_errors (%lld)",
             m->write_errors);
    FX_CHECK(run, m->lines_written == 0,
             "no log line was written anywhere (written %lld): the sink cannot take any", m->lines_written);
    FX_CHECK(run, m->lines_dropped == m->lines_logged && m->lines_dropped > 0,
             "every line is counted as dropped (%lld of %lld)", m->lines_dropped, m->lines_logged);
    FX_CHECK(run, m->gap_lines == 0, "no gap line (sink errors have none): %lld", m->gap_lines);
    if (s->log) {
        size_t len = 0;
        char *text = fx_logpipe_output(s->log, &len);
        FX_CHECK(run, len == 0, "nothing reached stdout (%zu bytes: %.80s)", len, text ? text : "");
        free(text);
    }
    fx_note(run, "log books: %lld logged = %lld written + %lld dropped; %lld write errors",
            m->lines_logged, m->lines_written, m->lines_dropped, m->write_errors);
}

void fx_account_verify(fx_run *run, fx_stack *s, fx_account_kind kind, int expect_drops)
{
    if (s->log)
        fx_logpipe_set_mode(s->log, FX_READ_DRAIN, 0);
    queue_wait w;
    memset(&w, 0, sizeof w);
    w.s = s;
    /* queue_empty needs the drain thread to take the request's own access line in the
     * moment between its logging and the rendering of /metrics; asking every 2 ms keeps the
     * drain thread in its busy (1 ms) period, where that happens often, instead of its idle
     * one (100 ms), where a run could go 20 s without it. */
    int interval_ms = kind == FX_ACCOUNT_PIPE ? 20 : 2;
    int empty = fx_poll_until(QUEUE_EMPTY_MS, interval_ms,
                              kind == FX_ACCOUNT_PIPE ? queue_empty_held : queue_empty, &w);
    if (!FX_CHECK(run, empty, "kiro_log_lines_queued reaches 0 after the reader drains (last %lld, %s)",
                  w.m.lines_queued, w.answered ? "metrics answered" : "no /metrics answer")) {
        fx_note(run, "log books not checked: queue never empty");
        return;
    }
    const fx_metrics *m = &w.m;
    FX_CHECK(run, m->lines_written + m->lines_dropped == m->lines_logged,
             "lines written %lld + dropped %lld == logged %lld", m->lines_written,
             m->lines_dropped, m->lines_logged);
    FX_CHECK(run, m->bytes_written + m->bytes_dropped == m->bytes_logged,
             "bytes written %lld + dropped %lld == logged %lld", m->bytes_written,
             m->bytes_dropped, m->bytes_logged);
    if (kind == FX_ACCOUNT_PIPE)
        verify_pipe(run, s, m, expect_drops);
    else if (kind == FX_ACCOUNT_SINK_BROKEN)
        verify_broken(run, s, m);
    else
        fx_note(run, "log books: %lld logged = %lld written + %lld dropped", m->lines_logged,
                m->lines_written, m->lines_dropped);
    if (s->sink == FX_SINK_PIPE)
        check_fd2_flags(run, s);
}
