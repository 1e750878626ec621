/* cost_sink.c: sinks for the log-call bench; see cost_sink.h. */
#include "cost_sink.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log/log.h"
#include "util/clock.h"

enum { FLUSH_DEADLINE_MS = 50, FILL_TIMEOUT_MS = 5000, FILL_LINES_MAX = 10000000 };

const char *cost_sink_name(cost_sink_kind kind)
{
    switch (kind) {
    case COST_SINK_DRAINED:
        return "drained";
    case COST_SINK_STALLED:
        return "stalled";
    case COST_SINK_DEVNULL:
        return "devnull";
    }
    return "?";
}

int cost_sink_parse(const char *text, cost_sink_kind *out)
{
    for (int k = COST_SINK_DRAINED; k <= COST_SINK_DEVNULL; k++) {
        if (strcmp(text, cost_sink_name((cost_sink_kind)k)) == 0) {
            *out = (cost_sink_kind)k;
            return 0;
        }
    }
    return -1;
}

int cost_sink_open(cost_sink *s, cost_sink_kind kind)
{
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->pipe.read_fd = s->pipe.write_fd = -1;
    s->devnull_fd = -1;
    if (kind == COST_SINK_DEVNULL) {
        s->devnull_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        return s->devnull_fd >= 0 ? 0 : -1;
    }
    if (bench_pipe_open(&s->pipe) != 0)
        return -1;
    if (kind == COST_SINK_DRAINED && bench_pipe_start_draining(&s->pipe) != 0) {
        bench_pipe_close(&s->pipe);
        return -1;
    }
    return 0;
}

void cost_sink_close(cost_sink *s)
{
    if (s->devnull_fd >= 0)
        close(s->devnull_fd);
    s->devnull_fd = -1;
    if (s->pipe.read_fd >= 0 || s->pipe.write_fd >= 0)
        bench_pipe_close(&s->pipe);
}

/* Feeds the logger until its queue drops lines (so its pipe is full too). */
static int fill(cost_sink *s)
{
    int64_t end = clock_monotonic_ms() + FILL_TIMEOUT_MS;
    log_stats st;
    for (long i = 0; i < FILL_LINES_MAX; i++) {
        log_message(LOG_LEVEL_INFO, "[BENCH] filling the stalled sink, line %ld %0150d", i, 0);
        if (i % 1024 == 0) {
            log_get_stats(&st);
            if (st.lines_dropped > 0 || clock_monotonic_ms() > end)
                break;
        }
    }
    long pending;
    return bench_pipe_wait_full(&s->pipe, FILL_TIMEOUT_MS, &pending);
}

int cost_logger_start(cost_sink *s)
{
    log_config config;
    log_config_defaults(&config);
    config.fd = s->kind == COST_SINK_DEVNULL ? s->devnull_fd : s->pipe.write_fd;
    config.min_level = LOG_LEVEL_INFO;
    config.flush_deadline_ms = FLUSH_DEADLINE_MS;
    if (log_start(&config) != 0)
        return -1;
    if (s->kind == COST_SINK_STALLED && fill(s) != 0) {
        fprintf(stderr, "bench-log: the stalled pipe did not fill\n");
        return -1;
    }
    return 0;
}

void cost_logger_stop(void)
{
    log_stop();
}

void cost_sink_describe(const cost_sink *s, char *out, size_t out_size)
{
    if (s->kind == COST_SINK_DEVNULL) {
        snprintf(out, out_size, "/dev/null");
        return;
    }
    snprintf(out, out_size, "pipe %s (FIONREAD %ld of %ld)",
             bench_pipe_is_full(&s->pipe) ? "full" : "not full", bench_pipe_pending(&s->pipe),
             s->pipe.capacity);
}
