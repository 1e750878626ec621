/* cases_logpipe.c: faults of the proxy's log sink. The three stall cases reproduce the field
 * failure (a launcher that stopped reading) with three readers; the other three break the sink
 * outright: the read end closed (EPIPE), /dev/full (ENOSPC), and fd 2 closed at exec. In every
 * one the proxy must keep answering, and the logger's books must balance afterwards. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fx_account.h"
#include "fx_cases.h"
#include "fx_finish.h"
#include "fx_http.h"
#include "fx_metrics.h"
#include "fx_probe.h"
#include "fx_stall.h"

#define SLOW_READER_BYTES_PER_S 1024
#define SCANNER_LINE_LIMIT 65536
#define FLOOD_REQUESTS 3 /* with the trigger: 4 x 2 x 256 KiB logged, twice the 1 MiB queue */

static int start(fx_run *run, fx_stack *s, const fx_stack_opts *o)
{
    char err[256] = "";
    if (FX_CHECK(run, fx_stack_start(s, o, err, sizeof err) == 0, "the stack starts (%s)", err))
        return 1;
    fx_stack_free(s);
    return 0;
}

/* More of the trigger while the pipe stays stalled: each 256 KiB request has its two big debug
 * lines dropped by the full queue and its next short line announces them, so the books have
 * several gap lines to add up. Only a build that is still answering is flooded: a frozen one
 * cannot log anything more, and each request would only wait out its deadline. */
static void flood(fx_run *run, fx_stack *s)
{
    char *body = fx_large_messages_body(1, 256 * 1024);
    int ok = 0;
    for (int i = 0; i < FLOOD_REQUESTS; i++) {
        tp_response r;
        if (fx_proxy_request(s, "POST", "/v1/messages", fx_api_headers, body, 8000, &r) == 0 &&
            r.status == 200)
            ok++;
        tp_response_free(&r);
    }
    free(body);
    FX_CHECK(run, ok == FLOOD_REQUESTS, "%d more 256 KiB requests during the stall are answered 200 (%d were)",
             FLOOD_REQUESTS, ok);
}

/* Design note 9: third-party code must not write fd 2 behind the logger's back. libmicrohttpd
 * says when its own stderr logger stays in place for some messages (the external logger was
 * not its first option); such a direct write would block on a stalled pipe. Checked on the
 * drained output of the log-never case. */
static void check_no_direct_stderr(fx_run *run, fx_stack *s)
{
    char *text = fx_logpipe_output(s->log, NULL);
    const char *hit = text ? strstr(text, "Some messages may be printed by the standard MHD logger") : NULL;
    FX_CHECK(run, text && !hit,
             "libmicrohttpd's stderr logger is replaced before any option is parsed (startup "
             "output has no \"may be printed by the standard MHD logger\" warning; see "
             "proxy/server/http_server.c MHD_start_daemon option order)");
    free(text);
}

/* The pipe stalls behind a reader that never catches up; probes while it stays stalled. */
static void stall_case(fx_run *run, fx_read_mode mode, long arg)
{
    fx_stack s;
    fx_stack_opts o = {.proxy = run->build, .proxy_args = fx_stall_proxy_args,
                       .sink = FX_SINK_PIPE, .reader = mode, .reader_arg = arg};
    if (!start(run, &s, &o))
        return;
    fx_bg trigger;
    fx_stall_fill(run, &s, &trigger);
    if (mode == FX_READ_SCANNER) {
        /* The reader thread decides when it has seen more than the limit without a newline;
         * on a loaded machine it may still be reading when the pipe is already full. */
        int stopped = 0;
        for (int waited = 0; waited < 10000 && !(stopped = fx_logpipe_scanner_stopped(s.log)); waited += 20)
            fx_sleep_ms(20);
        FX_CHECK(run, stopped, "the scanner reader stopped at a line over %d bytes", SCANNER_LINE_LIMIT);
    }
    if (fx_probe_phase(run, &s, "while stalled", 2))
        flood(run, &s);
    FX_CHECK(run, fx_logpipe_full(s.log), "the log pipe is still full after the probes");
    if (mode == FX_READ_SLOW)
        fx_note(run, "slow reader took %lld bytes", fx_logpipe_bytes_read(s.log));
    FX_CHECK(run, fx_stack_proxy_alive(&s), "the proxy is still running");
    fx_account_verify(run, &s, FX_ACCOUNT_PIPE, 1);
    if (mode == FX_READ_NEVER)
        check_no_direct_stderr(run, &s);
    fx_probe_phase(run, &s, "after draining", 1);
    fx_stall_end(run, &trigger);
    fx_finish(run, &s, FX_EXIT_GRACE_MS);
}

void fx_case_log_never(fx_run *run)
{
    stall_case(run, FX_READ_NEVER, 0);
}

void fx_case_log_slow(fx_run *run)
{
    stall_case(run, FX_READ_SLOW, SLOW_READER_BYTES_PER_S);
}

void fx_case_log_scanner(fx_run *run)
{
    stall_case(run, FX_READ_SCANNER, SCANNER_LINE_LIMIT);
}

/* What the proxy's fd 2 is now (Linux): "closed", "/dev/null", "anon_inode:[eventfd]"... */
static void fd2_target(const fx_stack *s, char *out, size_t size)
{
    snprintf(out, size, "unknown");
#ifdef __linux__
    char path[64], target[PATH_MAX];
    snprintf(path, sizeof path, "/proc/%d/fd/2", (int)s->proxy_pid);
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n < 0)
        snprintf(out, size, "closed");
    else
        snprintf(out, size, "%.*s", (int)n, target);
#else
    (void)s;
#endif
}

/* The sink fails every write: requests, including a logged 256 KiB one, are served; every
 * line is counted as dropped; the process survives. */
static void broken_sink_case(fx_run *run, fx_sink sink, fx_read_mode reader)
{
    fx_stack s;
    fx_stack_opts o = {.proxy = run->build, .proxy_args = fx_stall_proxy_args, .sink = sink,
                       .reader = reader};
    if (!start(run, &s, &o))
        return;
    char *body = fx_large_messages_body(1, 256 * 1024);
    tp_response r;
    int rc = fx_proxy_request(&s, "POST", "/v1/messages", fx_api_headers, body, 8000, &r);
    FX_CHECK(run, rc == 0 && r.status == 200,
             "a large logged /v1/messages is answered 200 (status %ld)", r.status);
    tp_response_free(&r);
    free(body);
    fx_probe_phase(run, &s, "with the sink failing", 2);
    int alive = fx_stack_proxy_alive(&s);
    char how[96] = "running";
    if (!alive)
        snprintf(how, sizeof how, "exit status 0x%x", s.proxy_status);
    FX_CHECK(run, alive, "the proxy survives the failing sink (no death by SIGPIPE): %s", how);
    fx_account_kind kind = FX_ACCOUNT_SINK_BROKEN;
    char target[256] = "";
    if (sink == FX_SINK_FD2_CLOSED) {
        /* Either the proxy points fd 2 at /dev/null at startup (then lines are "written"
         * there), or fd 2 stays unusable to the logger and every line is dropped. */
        fd2_target(&s, target, sizeof target);
        fx_note(run, "proxy fd 2 is now %s", target);
        if (strcmp(target, "/dev/null") == 0)
            kind = FX_ACCOUNT_BOOKS_ONLY;
    }
    if (alive)
        fx_account_verify(run, &s, kind, 1);
    fx_metrics m;
    /* A closed fd 2 fails the first write with EBADF and the async logger stops there. More
     * failed writes mean fd 2 had been reused (by whatever the proxy opened next) before the
     * logger's first write, and log lines went to that object. Timing-dependent, so recorded,
     * not asserted. */
    if (sink == FX_SINK_FD2_CLOSED && strcmp(target, "/dev/null") != 0 && alive &&
        fx_metrics_get(&s, 5000, &m) == 0 && m.write_errors > 1)
        fx_note(run, "HAZARD: %lld log writes went into the reused fd 2 (%s) and failed",
                m.write_errors, target);
    fx_finish(run, &s, FX_EXIT_GRACE_MS);
}

void fx_case_log_closed(fx_run *run)
{
    broken_sink_case(run, FX_SINK_PIPE, FX_READ_CLOSED);
}

void fx_case_log_devfull(fx_run *run)
{
    broken_sink_case(run, FX_SINK_DEVFULL, FX_READ_NEVER);
}

void fx_case_log_fd2_closed(fx_run *run)
{
    broken_sink_case(run, FX_SINK_FD2_CLOSED, FX_READ_DRAIN);
}
