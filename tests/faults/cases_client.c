/* cases_client.c: faults on the client side: a client that leaves mid-stream (the upstream
 * transfer must be aborted and every resource given back), 200 concurrent connections while the
 * log pipe is stalled, and SIGTERM while the log pipe is full (a prompt, bounded exit). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fx_account.h"
#include "fx_cases.h"
#include "fx_finish.h"
#include "fx_metrics.h"
#include "fx_probe.h"
#include "fx_rawhttp.h"
#include "fx_spawn.h"
#include "fx_stall.h"
#include "fx_upstream_util.h"

#define CONCURRENT 200
#define CONCURRENT_DEADLINE_MS 10000
#define FLUSH_MS 500
#define AFTER_DRAIN_MS 3000

typedef struct fd_settle {
    fx_stack *s;
    int last;
    int value;
} fd_settle;

/* Two equal readings in a row: the fd count is not moving. */
static int fds_settled(void *arg)
{
    fd_settle *w = arg;
    int now = fx_stack_proxy_fd_count(w->s);
    int same = now >= 0 && now == w->last;
    w->last = now;
    w->value = now;
    return same;
}

static int fds_back(void *arg)
{
    fd_settle *w = arg;
    w->value = fx_stack_proxy_fd_count(w->s);
    return w->value >= 0 && w->value <= w->last;
}

typedef struct abort_wait {
    fx_stack *s;
    int hang;
    long long fake_aborted_before, proxy_aborted_before;
    fx_fake_stats st;
    fx_metrics m;
} abort_wait;

/* fake-kiro's side: the streamed response was aborted, or the held request was let go. */
static int fake_saw_abort(void *arg)
{
    abort_wait *w = arg;
    if (fx_fake_stats_get(w->s, &w->st) != 0)
        return 0;
    if (w->hang)
        return w->st.hangs_active == 0;
    return w->st.streams_aborted > w->fake_aborted_before && w->st.streams_active == 0;
}

static int proxy_saw_abort(void *arg)
{
    abort_wait *w = arg;
    return fx_metrics_get(w->s, 2000, &w->m) == 0 &&
           w->m.upstream_aborted > w->proxy_aborted_before && w->m.streams_active == 0;
}

static int one_hanging(void *arg)
{
    abort_wait *w = arg;
    return fx_fake_stats_get(w->s, &w->st) == 0 && w->st.hangs_active == 1;
}

/* The client hangs up mid-stream (hang = 0: fake-kiro streams slowly) or while the upstream
 * has not sent a byte (hang = 1, first-byte timeout far away). The upstream transfer must be
 * aborted at once, and every counter and fd must come back. */
static void disconnect_case(fx_run *run, int hang)
{
    static const char *const proxy_args[] = {"--first-byte-timeout-ms", "30000", NULL};
    fx_stack s;
    if (!fx_start_drained(run, &s, NULL, proxy_args, NULL))
        return;
    /* A complete stream first, so that whatever the proxy opens lazily is open. */
    char *body = fx_messages_body(1, FX_PROMPT);
    tp_response r;
    fx_proxy_request(&s, "POST", "/v1/messages", fx_api_headers, body, 10000, &r);
    FX_CHECK(run, r.status == 200, "a warm-up stream is answered 200 (%ld)", r.status);
    tp_response_free(&r);
    const char *fault = hang ? "{\"hang\":true}" : "{\"slow_ms\":100,\"reply_bytes\":4000}";
    FX_CHECK(run, fx_fake_set(&s, fault) == 0, "fake-kiro takes %s", fault);
    fd_settle fds = {&s, -2, -1};
    int have_fds = fx_poll_until(5000, 50, fds_settled, &fds);
    int baseline = fds.value;

    abort_wait w = {&s, hang, 0, 0, {0}, {0}};
    fx_fake_stats st0;
    fx_metrics m0;
    FX_CHECK(run, fx_fake_stats_get(&s, &st0) == 0 && fx_metrics_get(&s, 5000, &m0) == 0,
             "counters readable before the request");
    w.fake_aborted_before = st0.streams_aborted;
    w.proxy_aborted_before = m0.upstream_aborted;

    char got[8192];
    int fd = fx_rawstream_open(&s, "/v1/messages", body, hang ? NULL : "content_block_delta",
                               10000, got, sizeof got);
    free(body);
    if (hang)
        FX_CHECK(run, fd >= 0 && fx_poll_until(5000, 10, one_hanging, &w),
                 "the request reaches fake-kiro's hang (hangs_active %lld)", w.st.hangs_active);
    else
        FX_CHECK(run, fd >= 0, "the stream starts (%zu bytes seen)", strlen(got));
    fx_probe_phase(run, &s, hang ? "during the hang" : "during the stream", 1);
    if (fd >= 0)
        close(fd); /* the client leaves */
    long long t0 = fx_now_ms();

    if (hang)
        FX_CHECK(run, fx_poll_until(5000, 20, fake_saw_abort, &w),
                 "fake-kiro's held request is let go within 5 s, long before the 30 s first-byte "
                 "timeout (hangs_active %lld)", w.st.hangs_active);
    else
        FX_CHECK(run, fx_poll_until(10000, 20, fake_saw_abort, &w),
                 "fake-kiro sees its stream aborted (streams_aborted %lld -> %lld, active %lld)",
                 w.fake_aborted_before, w.st.streams_aborted, w.st.streams_active);
    FX_CHECK(run, fx_poll_until(10000, 20, proxy_saw_abort, &w),
             "kiro_upstream_aborted_total increases (%lld -> %lld) and kiro_streams_active is 0 (%lld)",
             w.proxy_aborted_before, w.m.upstream_aborted, w.m.streams_active);
    long long abort_ms = fx_now_ms() - t0;
    if (have_fds) {
        fds.last = baseline;
        FX_CHECK(run, fx_poll_until(10000, 50, fds_back, &fds),
                 "the proxy's open fds return to their baseline (%d, now %d)", baseline, fds.value);
        fx_note(run, "upstream aborted %lld ms after the hang-up; fds %d -> %d", abort_ms,
                baseline, fds.value);
    } else {
        fx_note(run, "upstream aborted %lld ms after the hang-up; fd count not available",
                abort_ms);
    }
    fx_end_drained(run, &s);
}

void fx_case_client_disconnect(fx_run *run)
{
    disconnect_case(run, 0);
}

void fx_case_client_disconnect_hang(fx_run *run)
{
    disconnect_case(run, 1);
}

static int start_stalled(fx_run *run, fx_stack *s, const char *const *proxy_args)
{
    fx_stack_opts o = {.proxy = run->build, .proxy_args = proxy_args, .sink = FX_SINK_PIPE,
                       .reader = FX_READ_NEVER};
    char err[256] = "";
    if (FX_CHECK(run, fx_stack_start(s, &o, err, sizeof err) == 0, "the stack starts (%s)", err))
        return 1;
    fx_stack_free(s);
    return 0;
}

void fx_case_concurrent_stalled(fx_run *run)
{
    fx_stack s;
    if (!start_stalled(run, &s, fx_stall_proxy_args))
        return;
    fx_bg trigger;
    fx_stall_fill(run, &s, &trigger);
    fx_probe_stats st;
    fx_probe_many(&s, CONCURRENT, CONCURRENT_DEADLINE_MS, &st);
    FX_CHECK(run, st.answered == CONCURRENT,
             "all %d concurrent connections are answered 200 within %d ms (%d were; %s)",
             CONCURRENT, CONCURRENT_DEADLINE_MS, st.answered, st.first_bad[0] ? st.first_bad : "-");
    fx_note(run, "%d/%d connections answered, slowest %ld ms", st.answered, CONCURRENT, st.max_ms);
    FX_CHECK(run, fx_logpipe_full(s.log), "the log pipe is still full afterwards");
    fx_account_verify(run, &s, FX_ACCOUNT_PIPE, 0);
    fx_probe_phase(run, &s, "after draining", 1);
    fx_stall_end(run, &trigger);
    fx_finish(run, &s, FX_EXIT_GRACE_MS);
}

static int trigger_done(void *arg)
{
    return fx_bg_done(arg);
}

/* Did the proxy exit within ms? Records how. */
static int exited_within(fx_stack *s, int ms, int *status)
{
    if (fx_wait_exit(s->proxy_pid, ms, status) != 0)
        return 0;
    s->proxy_reaped = 1;
    s->proxy_status = *status;
    return 1;
}

void fx_case_sigterm_pipe_full(fx_run *run)
{
    fx_stack s;
    if (!start_stalled(run, &s, fx_stall_proxy_args_flush500))
        return;
    fx_bg trigger;
    fx_stall_fill(run, &s, &trigger);
    if (fx_probe_phase(run, &s, "before SIGTERM", 1)) {
        /* A responsive build answers the trigger: let it, so that SIGTERM meets a full pipe
         * and a full queue but no request in flight (that one would rightly get 503). */
        FX_CHECK(run, fx_poll_until(8000, 10, trigger_done, &trigger),
                 "the trigger is answered before SIGTERM");
        fx_metrics m;
        if (FX_CHECK(run, fx_metrics_get(&s, 2000, &m) == 0, "/metrics answers"))
            if (FX_CHECK(run, m.lines_queued > 0, "lines are queued behind the full pipe (%lld, %lld bytes)",
                         m.lines_queued, m.bytes_queued))
                fx_note(run, "%lld lines (%lld bytes) queued behind the full pipe", m.lines_queued,
                        m.bytes_queued);
    }
    FX_CHECK(run, fx_logpipe_full(s.log), "the log pipe is full when SIGTERM is sent");

    const int bound = FLUSH_MS + 1000;
    int status = 0;
    long long t0 = fx_now_ms();
    kill(s.proxy_pid, SIGTERM);
    int exited = exited_within(&s, bound, &status);
    long long ms = fx_now_ms() - t0;
    char how[96] = "";
    if (exited)
        fx_describe_status(status, how, sizeof how);
    FX_CHECK(run, exited && ms <= bound,
             "the proxy exits within --log-flush-ms + 1 s = %d ms of SIGTERM, pipe still full "
             "(%s after %lld ms)", bound, exited ? how : "still running", ms);
    if (exited) {
        FX_CHECK(run, WIFEXITED(status) && WEXITSTATUS(status) == 0, "with status 0 (%s)", how);
        fx_note(run, "SIGTERM -> reaped in %lld ms (%s) with the pipe full", ms, how);
    } else {
        /* Record what the stuck build does once its reader comes back. */
        fx_logpipe_set_mode(s.log, FX_READ_DRAIN, 0);
        long long t1 = fx_now_ms();
        if (exited_within(&s, AFTER_DRAIN_MS, &status)) {
            fx_describe_status(status, how, sizeof how);
            fx_note(run, "no exit %d ms after SIGTERM; exited %lld ms after the pipe was drained (%s)",
                    bound, fx_now_ms() - t1, how);
        } else {
            fx_note(run, "no exit %d ms after SIGTERM, nor %d ms after draining: SIGKILL", bound,
                    AFTER_DRAIN_MS);
        }
    }
    fx_note(run, "log books not checked: the proxy is gone (its /metrics with it)");
    fx_stall_end(run, &trigger);
    fx_stack_free(&s);
}
