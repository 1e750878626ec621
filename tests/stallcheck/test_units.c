/* test_units.c: cmocka unit tests for stallcheck's decision-making parts, linked directly
 * (no stallcheck process spawned): option parsing, the scanner, syscall decoding, thread roles, the cause
 * and verdict tables, the fault-establishment rule, thread shapes against a baseline, the
 * timeline's bounds, the descendant scan, {port} templating, the default trigger body and the
 * pipe-fullness measures. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cause.h"
#include "command_template.h"
#include "evidence.h"
#include "fault.h"
#include "log_pipe.h"
#include "options.h"
#include "probes.h"
#include "process_tree.h"
#include "scanner.h"
#include "syscall_decode.h"
#include "thread_role.h"
#include "thread_shape.h"
#include "timeline.h"
#include "trigger.h"
#include "verdict.h"

/* Parses a NULL-terminated list of arguments (without argv[0]). o->command points into argv,
 * so argv outlives the call (until the next one). */
static int parse(stall_options *o, const char *const *args, char *err, size_t err_size)
{
    static char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)"stallcheck";
    for (; *args && argc < 63; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    options_init(o);
    FILE *devnull = fopen("/dev/null", "w");
    int rc = options_parse(o, argc, argv, devnull, err, err_size);
    fclose(devnull);
    return rc;
}

static void test_options_defaults(void **state)
{
    (void)state;
    stall_options o;
    char err[256] = "";
    const char *args[] = { "--", "server", "--port", "{port}", NULL };
    assert_int_equal(parse(&o, args, err, sizeof err), OPTIONS_OK);
    assert_int_equal(o.pipe_size, 65536);
    assert_int_equal(o.reader, READER_NEVER);
    assert_string_equal(o.ready_path, "/health");
    assert_int_equal(o.startup_ms, 15000);
    assert_true(o.trigger_enabled);
    assert_string_equal(o.trigger.method, "POST");
    assert_string_equal(o.trigger.path, "/v1/messages");
    assert_int_equal(o.trigger_bytes, 262144);
    assert_int_equal(o.trigger_timeout_ms, 3000);
    assert_int_equal(o.rounds, 3);
    assert_int_equal(o.settle_ms, 300);
    assert_int_equal(o.fill_ms, 10000);
    assert_int_equal(o.deadline_ms, 2000);
    assert_int_equal(o.kill_grace_ms, 2000);
    assert_int_equal(o.timeout_s, 60);
    assert_int_equal(o.probe_count, 2);
    assert_string_equal(o.probes[0].path, "/v1/models");
    assert_string_equal(o.probes[1].path, "/api/admin/user-credentials");
    assert_int_equal(o.command_count, 3);
    assert_string_equal(o.command[0], "server");
    options_free(&o);
}

static void test_options_values(void **state)
{
    (void)state;
    stall_options o;
    char err[256] = "";
    const char *args[] = { "--reader=scanner:65536", "-H", "X-Api-Key: k", "-HAccept: */*",
                           "--probe", "get /a", "--probe", "POST /b", "--trigger", "none",
                           "--expect", "stalled", "--env", "A=1", "--separate-pipes", "-q",
                           "--port", "8080", "srv", NULL };
    assert_int_equal(parse(&o, args, err, sizeof err), OPTIONS_OK);
    assert_int_equal(o.reader, READER_SCANNER);
    assert_int_equal(o.reader_arg, 65536);
    assert_int_equal(o.headers.count, 2);
    assert_string_equal(o.headers.items[1], "Accept: */*");
    assert_int_equal(o.probe_count, 2); /* --probe replaced the defaults */
    assert_string_equal(o.probes[0].method, "GET");
    assert_string_equal(o.probes[1].path, "/b");
    assert_false(o.trigger_enabled);
    assert_int_equal(o.expect, EXPECT_STALLED);
    assert_true(o.separate_pipes);
    assert_true(o.quiet);
    assert_int_equal(o.port, 8080);
    assert_int_equal(o.command_count, 1); /* the first non-option starts the command */
    options_free(&o);
}

static void test_options_errors(void **state)
{
    (void)state;
    const char *const bad[][5] = {
        { "--rounds", "0", "--", "x", NULL },      { "--reader", "scanner:8", "--", "x", NULL },
        { "--reader", "slow:0", "--", "x", NULL }, { "--probe", "/nomethod", "--", "x", NULL },
        { "--trigger", "POST", "--", "x", NULL },  { "--env", "=v", "--", "x", NULL },
        { "--port", "0", "--", "x", NULL },        { "--quiet=yes", "--", "x", NULL },
        { "--timeout", NULL },                     { "--", NULL },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        stall_options o;
        char err[256] = "";
        assert_int_equal(parse(&o, bad[i], err, sizeof err), OPTIONS_INVALID);
        assert_true(strlen(err) > 0);
        options_free(&o);
    }
}

static void test_options_help(void **state)
{
    (void)state;
    stall_options o;
    char err[256] = "";
    const char *args[] = { "--help", NULL };
    assert_int_equal(parse(&o, args, err, sizeof err), OPTIONS_DONE);
    options_free(&o);
}

static void test_reader_specs(void **state)
{
    (void)state;
    reader_mode mode;
    long arg;
    assert_int_equal(options_parse_reader("slow:100", &mode, &arg), 0);
    assert_int_equal(mode, READER_SLOW);
    assert_int_equal(arg, 100);
    assert_int_equal(options_parse_reader("close", &mode, &arg), 0);
    assert_int_equal(mode, READER_CLOSE);
    assert_int_equal(options_parse_reader("scanner:", &mode, &arg), -1);
    assert_int_equal(options_parse_reader("slow:12x", &mode, &arg), -1);
    assert_int_equal(options_parse_reader("Drain", &mode, &arg), -1);
}

static void test_scanner_stops_at_long_line(void **state)
{
    (void)state;
    line_scanner s;
    scanner_init(&s, 16);
    assert_int_equal(scanner_room(&s), 16);
    assert_false(scanner_feed(&s, "short\nline two\n", 15));
    assert_int_equal(s.lines, 2);
    assert_int_equal(s.line_len, 0);
    /* 15 bytes + newline fit a 16-byte buffer, like Go's bufio.Scanner */
    assert_false(scanner_feed(&s, "123456789012345", 15));
    assert_int_equal(scanner_room(&s), 1);
    assert_false(scanner_feed(&s, "\n", 1));
    assert_int_equal(s.lines, 3);
    /* 16 bytes without a newline fill the buffer: ErrTooLong, stop for good */
    assert_false(scanner_feed(&s, "abcdefgh", 8));
    assert_true(scanner_feed(&s, "ijklmnop", 8));
    assert_true(s.stopped);
    assert_int_equal(scanner_room(&s), 0);
    assert_true(scanner_feed(&s, "\n", 1));
    assert_int_equal(s.lines, 3);
}

static void test_syscall_parse_and_render(void **state)
{
    (void)state;
    syscall_sample s;
    char text[160];
    assert_int_equal(syscall_parse("1 0x2 0x7f0000001000 0x40000 0x0 0x0 0x0 0x7ffd1000 0x7f12\n", &s), 0);
    assert_int_equal(s.state, SYSCALL_STATE_IN_SYSCALL);
    assert_int_equal(s.nr, 1);
    assert_int_equal(s.args[0], 2);
    syscall_render(SYSCALL_ARCH_X86_64, &s, text, sizeof text);
    assert_string_equal(text, "write(fd=2, count=262144)");
    assert_true(syscall_is_write(SYSCALL_ARCH_X86_64, 1));
    assert_false(syscall_is_write(SYSCALL_ARCH_AARCH64, 1));

    assert_int_equal(syscall_parse("66 0x1 0xffff 0x3 0x0 0x0 0x0 0x0 0x0", &s), 0);
    syscall_render(SYSCALL_ARCH_AARCH64, &s, text, sizeof text);
    assert_string_equal(text, "writev(fd=1, iovcnt=3)");

    assert_int_equal(syscall_parse("202 0x55d0c0 0x80 0x2 0x0 0x0 0x0 0x7ffd 0x7f", &s), 0);
    assert_true(syscall_is_futex(SYSCALL_ARCH_X86_64, s.nr));
    syscall_render(SYSCALL_ARCH_X86_64, &s, text, sizeof text);
    assert_string_equal(text, "futex(0x55d0c0, FUTEX_WAIT_PRIVATE)");
    assert_true(syscall_is_futex(SYSCALL_ARCH_AARCH64, 98));

    assert_int_equal(syscall_parse("running\n", &s), 0);
    assert_int_equal(s.state, SYSCALL_STATE_RUNNING);
    assert_int_equal(syscall_parse("-1 0x7ffd 0x7f12\n", &s), 0);
    assert_int_equal(s.state, SYSCALL_STATE_NONE);
    assert_int_equal(syscall_parse("garbage", &s), -1);
    assert_int_equal(syscall_parse("1 0x2", &s), -1);

    assert_int_equal(syscall_parse("999 0x1 0x2 0x3 0x4 0x5 0x6 0x7 0x8", &s), 0);
    syscall_render(SYSCALL_ARCH_OTHER, &s, text, sizeof text);
    assert_string_equal(text, "syscall 999(0x1, 0x2, 0x3)");
}

static thread_sample sample_in(long nr, long fd, bool fd_known, bool on_log_pipe, const char *wchan)
{
    thread_sample s;
    memset(&s, 0, sizeof s);
    s.syscall.state = SYSCALL_STATE_IN_SYSCALL;
    s.syscall.nr = nr;
    s.syscall.args[0] = (unsigned long long)fd;
    s.fd = fd;
    s.fd_known = fd_known;
    s.fd_is_log_pipe = on_log_pipe;
    s.wchan = wchan;
    return s;
}

static void test_thread_roles(void **state)
{
    (void)state;
    thread_sample s = sample_in(1, 2, true, true, "anon_pipe_write");
    assert_int_equal(thread_role_classify(SYSCALL_ARCH_X86_64, &s), ROLE_LOG_WRITER);
    s = sample_in(1, 7, true, false, "sk_stream_wait_memory");
    assert_int_equal(thread_role_classify(SYSCALL_ARCH_X86_64, &s), ROLE_OTHER_WRITER);
    s = sample_in(1, 2, false, false, "pipe_write"); /* fd unresolvable: fd 2 + pipe wait */
    assert_int_equal(thread_role_classify(SYSCALL_ARCH_X86_64, &s), ROLE_LOG_WRITER);
    s = sample_in(202, 0, false, false, "futex_do_wait");
    assert_int_equal(thread_role_classify(SYSCALL_ARCH_X86_64, &s), ROLE_LOCK_WAITER);
    s = sample_in(98, 0, false, false, "0");
    assert_int_equal(thread_role_classify(SYSCALL_ARCH_AARCH64, &s), ROLE_LOCK_WAITER);
    s = sample_in(7, 0, false, false, "do_sys_poll");
    assert_int_equal(thread_role_classify(SYSCALL_ARCH_X86_64, &s), ROLE_OTHER);

    s.syscall.state = SYSCALL_STATE_UNREADABLE; /* no permission: wchan decides */
    s.wchan = "anon_pipe_write";
    assert_int_equal(thread_role_classify(SYSCALL_ARCH_X86_64, &s), ROLE_LOG_WRITER);
    s.wchan = "futex_wait_queue_me";
    assert_int_equal(thread_role_classify(SYSCALL_ARCH_X86_64, &s), ROLE_LOCK_WAITER);
    s.wchan = "0";
    assert_int_equal(thread_role_classify(SYSCALL_ARCH_X86_64, &s), ROLE_UNKNOWN);
    s.syscall.state = SYSCALL_STATE_RUNNING;
    assert_int_equal(thread_role_classify(SYSCALL_ARCH_X86_64, &s), ROLE_RUNNING);

    int counts[ROLE_COUNT] = { 0 };
    counts[ROLE_RUNNING] = 2;
    assert_int_equal(thread_role_merge(counts), ROLE_RUNNING);
    counts[ROLE_LOG_WRITER] = 1; /* caught running twice, blocked in the write once */
    assert_int_equal(thread_role_merge(counts), ROLE_LOG_WRITER);
    counts[ROLE_LOCK_WAITER] = 2;
    assert_int_equal(thread_role_merge(counts), ROLE_LOCK_WAITER);
}

/* One row of the cause table: the input and the cause it must give. */
typedef struct cause_case {
    const char *name;
    cause_input in;
    const char *cause;
} cause_case;

static void test_cause_table(void **state)
{
    (void)state;
    /* stalled, inconclusive, pipe_full, threads_seen, writers, lock waiters, convoy, idle,
     * recovery_run, recovered, waits */
    static const cause_case cases[] = {
        { "responsive", { false, false, true, true, 1, 5, 5, 0, true, true, "" }, CAUSE_NONE },
        { "inconclusive", { false, true, false, true, 0, 0, 0, 0, true, true, "" }, CAUSE_FAULT_NOT_REACHED },
        { "the deadlock", { true, false, true, true, 1, 5, 5, 2, true, true, "" }, CAUSE_LOG_PIPE_DEADLOCK },
        { "recovery not checked", { true, false, true, true, 1, 3, 3, 0, false, false, "" }, CAUSE_LOG_PIPE_DEADLOCK },
        { "one waiter is no convoy", { true, false, true, true, 1, 1, 1, 0, true, true, "" }, CAUSE_PIPE_WRITERS_BLOCKED },
        { "idle threads are no convoy", { true, false, true, true, 1, 0, 0, 9, true, true, "" }, CAUSE_PIPE_WRITERS_BLOCKED },
        { "several writers", { true, false, true, true, 4, 5, 5, 0, true, true, "" }, CAUSE_PIPE_WRITERS_BLOCKED },
        { "no writer seen", { true, false, true, true, 0, 3, 3, 0, true, true, "" }, CAUSE_PIPE_FULL_UNCONFIRMED },
        { "no thread evidence", { true, false, true, false, 0, 0, 0, 0, true, true, "" }, CAUSE_PIPE_FULL_UNCONFIRMED },
        { "draining did not cure", { true, false, true, true, 1, 0, 0, 3, true, false, "3 in recvfrom" }, CAUSE_STALLED_NOT_PIPE },
        { "full pipe, not cured, deadlock shape", { true, false, true, true, 1, 5, 5, 0, true, false, "" }, CAUSE_STALLED_NOT_PIPE },
        { "pipe not full", { true, false, false, true, 0, 3, 3, 0, true, false, "3 in futex" }, CAUSE_STALLED_PIPE_NOT_FULL },
        { "pipe not full but cured", { true, false, false, true, 1, 3, 3, 0, true, true, "" }, CAUSE_STALLED_PIPE_NOT_FULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char detail[512] = "";
        const char *cause = cause_decide(&cases[i].in, detail, sizeof detail);
        if (strcmp(cause, cases[i].cause) != 0)
            fail_msg("cause case '%s': got %s, expected %s", cases[i].name, cause, cases[i].cause);
        assert_true(strlen(detail) > 20);
    }
    char detail[512];
    cause_input slow = { true, false, false, true, 0, 3, 3, 0, true, false, "3 in futex 0x10 (pid 4)" };
    cause_decide(&slow, detail, sizeof detail);
    assert_non_null(strstr(detail, "another cause"));
    assert_non_null(strstr(detail, "3 in futex 0x10"));
    cause_input hung = { true, false, true, true, 1, 0, 0, 2, true, false, "2 in recvfrom" };
    cause_decide(&hung, detail, sizeof detail);
    assert_non_null(strstr(detail, "did not bring the server back"));
}

typedef struct verdict_case {
    const char *name;
    verdict_input in;
    const char *verdict;
} verdict_case;

static void test_verdict_table(void **state)
{
    (void)state;
    /* probes timed out, probes, fault reached, unanswered requests, log writers, a thread
     * source exists, the pipe is full */
    static const verdict_case cases[] = {
        { "all answered, fault in place", { 0, 6, true, 0, 0, true, true }, VERDICT_RESPONSIVE },
        { "a probe timed out", { 1, 6, true, 0, 1, true, true }, VERDICT_STALLED },
        { "a stall without the fault is still a stall", { 6, 6, false, 0, 0, true, false }, VERDICT_STALLED },
        { "answered without the fault", { 0, 6, false, 0, 0, true, false }, VERDICT_INCONCLUSIVE },
        { "trigger hung behind a blocked writer", { 0, 6, true, 1, 1, true, true }, VERDICT_STALLED },
        { "trigger hung, fault not reached, writer blocked", { 0, 6, false, 2, 1, true, false }, VERDICT_STALLED },
        { "trigger slow but no writer blocked", { 0, 6, true, 1, 0, true, true }, VERDICT_RESPONSIVE },
        /* no thread source (the portable build, macOS without `sample`): the full pipe stands in */
        { "no thread source: trigger hung with the pipe full", { 0, 6, true, 1, 0, false, true }, VERDICT_STALLED },
        { "no thread source: trigger hung, pipe not full", { 0, 6, true, 1, 0, false, false }, VERDICT_RESPONSIVE },
        { "no thread source: all answered, fault in place", { 0, 6, true, 0, 0, false, true }, VERDICT_RESPONSIVE },
        { "no thread source: answered without the fault", { 0, 6, false, 0, 0, false, false }, VERDICT_INCONCLUSIVE },
        { "no thread source: a probe timed out", { 2, 6, true, 0, 0, false, true }, VERDICT_STALLED },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char basis[320] = "";
        const char *v = verdict_decide(&cases[i].in, basis, sizeof basis);
        if (strcmp(v, cases[i].verdict) != 0)
            fail_msg("verdict case '%s': got %s, expected %s", cases[i].name, v, cases[i].verdict);
        assert_true(strlen(basis) > 10);
    }
}

/* A scripted sequence of looks for the fault tracker: every step is one look, 10 ms apart. */
typedef struct fault_step {
    long pending;
    int has_room;
    bool triggers_over;
    long answered;
    bool request_in_flight_since_start;
} fault_step;

static fault_state feed_steps(reader_mode reader, bool requests_expected, const fault_step *steps, size_t n,
                              int repeat_last, bool *wanted_fill)
{
    fault_tracker t;
    fault_tracker_init(&t, reader, 100, 1000);
    fault_state st = FAULT_BUILDING;
    int64_t now = 1000;
    *wanted_fill = false;
    for (size_t i = 0; i < n + (size_t)repeat_last; i++) {
        const fault_step *step = &steps[i < n ? i : n - 1];
        fault_look look = { now, step->pending, 65536, step->has_room, requests_expected, step->triggers_over,
                            step->answered + (i >= n ? (long)(i - n + 1) : 0),
                            step->request_in_flight_since_start ? 1000 : 0 };
        st = fault_tracker_feed(&t, &look);
        *wanted_fill = *wanted_fill || fault_tracker_wants_fill(&t, &look);
        if (st != FAULT_BUILDING)
            return st;
        now += 10;
    }
    return st;
}

static void test_fault_tracker(void **state)
{
    (void)state;
    bool fill = false;
    /* the blocking writer: pipe full, the trigger hangs since before the window */
    const fault_step blocked[] = { { 1000, 1, false, 0, true }, { 62000, 0, false, 0, true } };
    assert_int_equal(feed_steps(READER_NEVER, true, blocked, 2, 20, &fill), FAULT_PIPE_FULL);
    /* the async writer: full, the trigger answered, fill requests answered while the level stays */
    const fault_step async_full[] = { { 65000, 0, true, 1, false } };
    assert_int_equal(feed_steps(READER_NEVER, true, async_full, 1, 20, &fill), FAULT_PIPE_FULL);
    assert_true(fill);
    /* full by slots far below capacity counts: the kernel says no free slot */
    const fault_step slots[] = { { 1600, 0, true, 1, false } };
    assert_int_equal(feed_steps(READER_NEVER, true, slots, 1, 20, &fill), FAULT_PIPE_FULL);
    /* a rising level (a blocking writer merging into the last page) keeps restarting the window */
    fault_step rising[30];
    for (int i = 0; i < 30; i++)
        rising[i] = (fault_step){ 60000 + i * 100, 0, true, i, false };
    assert_int_equal(feed_steps(READER_NEVER, true, rising, 30, 0, &fill), FAULT_BUILDING);
    /* free slots: never, however long, and fill requests are wanted once the level stops */
    const fault_step empty[] = { { 230, 1, true, 1, false } };
    assert_int_equal(feed_steps(READER_NEVER, true, empty, 1, 200, &fill), FAULT_BUILDING);
    assert_true(fill);
    /* full but nothing shows the writer stopped (no request answered, none hanging): wait */
    const fault_step idle_full[] = { { 65536, 0, true, 0, false } };
    fault_tracker t;
    fault_tracker_init(&t, READER_NEVER, 100, 0);
    for (int i = 0; i < 50; i++) {
        fault_look look = { i * 10, 65536, 65536, 0, true, true, 0, 0 };
        assert_int_equal(fault_tracker_feed(&t, &look), FAULT_BUILDING);
    }
    (void)idle_full;
    assert_int_equal(fault_tracker_give_up(&t), FAULT_NOT_REACHED);
    /* no trigger: the stable full pipe is enough */
    assert_int_equal(feed_steps(READER_NEVER, false, idle_full, 1, 20, &fill), FAULT_PIPE_FULL);
    /* no kernel answer (macOS): the level decides */
    const fault_step level_only[] = { { 62000, -1, true, 1, false } };
    assert_int_equal(feed_steps(READER_NEVER, true, level_only, 1, 20, &fill), FAULT_PIPE_FULL);
    const fault_step level_low[] = { { 30000, -1, true, 1, false } };
    assert_int_equal(feed_steps(READER_NEVER, true, level_low, 1, 50, &fill), FAULT_BUILDING);
    /* close and drain: once the triggers are over */
    const fault_step pending_trigger[] = { { -1, -1, false, 0, true } };
    assert_int_equal(feed_steps(READER_CLOSE, true, pending_trigger, 1, 20, &fill), FAULT_BUILDING);
    const fault_step over[] = { { -1, -1, true, 1, false } };
    assert_int_equal(feed_steps(READER_CLOSE, true, over, 1, 0, &fill), FAULT_READ_END_CLOSED);
    assert_false(fill);
    assert_int_equal(feed_steps(READER_DRAIN, true, over, 1, 0, &fill), FAULT_BASELINE);
    assert_true(fault_state_reached(FAULT_PIPE_FULL));
    assert_false(fault_state_reached(FAULT_NOT_REACHED));
    assert_string_equal(fault_state_name(FAULT_NOT_REACHED), "not-reached");
}

static thread_evidence make_thread(int tid, thread_role role, unsigned long long address)
{
    thread_evidence t;
    memset(&t, 0, sizeof t);
    t.pid = 100;
    t.tid = tid;
    t.role = role;
    t.wait_address = address;
    t.fd = role == ROLE_LOG_WRITER ? 2 : -1;
    snprintf(t.syscall, sizeof t.syscall, "%s", address ? "futex(0x1, FUTEX_WAIT_PRIVATE)" : "recvfrom(...)");
    return t;
}

static void test_thread_shape(void **state)
{
    (void)state;
    /* before the trigger: three runtime threads parked on their own words, one on a shared one */
    thread_evidence before_threads[] = {
        make_thread(1, ROLE_OTHER, 0),          make_thread(2, ROLE_LOCK_WAITER, 0xa0),
        make_thread(3, ROLE_LOCK_WAITER, 0xb0), make_thread(4, ROLE_LOCK_WAITER, 0xc0),
    };
    evidence baseline = { before_threads, 4, "proc", 1, 1, 0, 3, 0, 0, 0, 0, 0, false, false, "" };
    /* during the fault: the same idle threads, one writer, a convoy of three on 0xd0, a thread
     * that was idle on 0xc0 now waiting on the convoy's word, one other new wait */
    thread_evidence now_threads[] = {
        make_thread(1, ROLE_OTHER, 0),          make_thread(2, ROLE_LOCK_WAITER, 0xa0),
        make_thread(3, ROLE_LOCK_WAITER, 0xb0), make_thread(4, ROLE_LOCK_WAITER, 0xd0),
        make_thread(5, ROLE_LOG_WRITER, 0),     make_thread(6, ROLE_LOCK_WAITER, 0xd0),
        make_thread(7, ROLE_LOCK_WAITER, 0xd0), make_thread(8, ROLE_LOCK_WAITER, 0xe0),
    };
    evidence ev;
    memset(&ev, 0, sizeof ev);
    ev.threads = now_threads;
    ev.count = 8;
    ev.source = "proc";
    evidence_tally(&ev);
    assert_int_equal(ev.lock_waiters, 6); /* without a baseline every futex wait looks like a lock wait */
    thread_shape_apply_baseline(&ev, &baseline);
    assert_true(ev.baseline_applied);
    assert_int_equal(ev.idle, 2);
    assert_int_equal(ev.lock_waiters, 4);
    assert_int_equal(ev.log_writers, 1);
    assert_int_equal(ev.convoy_threads, 3);
    assert_true(ev.convoy_address_known);
    assert_int_equal(ev.convoy_address, 0xd0);
    assert_int_equal(now_threads[1].role, ROLE_IDLE);
    assert_int_equal(now_threads[3].role, ROLE_LOCK_WAITER); /* moved to another word: a new wait */
    assert_true(now_threads[0].same_wait_as_baseline);        /* the same wait as before: not the stall */
    assert_false(now_threads[4].same_wait_as_baseline);
    char text[384];
    thread_shape_describe(&ev, text, sizeof text);
    assert_non_null(strstr(text, "1 thread(s) blocked writing the log pipe"));
    assert_non_null(strstr(text, "3 waiting on one futex word (0xd0 in pid 100): a lock convoy"));
    assert_non_null(strstr(text, "2 idle since before the trigger"));
    thread_shape_waits(&ev, text, sizeof text);
    assert_non_null(strstr(text, "3 in futex 0xd0 (pid 100)"));
    assert_non_null(strstr(text, "1 in write(fd=2) on the log pipe"));
    assert_null(strstr(text, "0xa0")); /* idle threads are not what the stall waits on */

    /* idle runtime threads alone: no lock waiters, no convoy */
    thread_evidence parked[] = { make_thread(2, ROLE_LOCK_WAITER, 0xa0), make_thread(3, ROLE_LOCK_WAITER, 0xb0) };
    evidence idle_only = { parked, 2, "proc", 1, 1, 0, 2, 0, 0, 0, 0, 0, false, false, "" };
    thread_shape_apply_baseline(&idle_only, &baseline);
    assert_int_equal(idle_only.lock_waiters, 0);
    assert_int_equal(idle_only.convoy_threads, 0);
}

static void test_timeline_bounds(void **state)
{
    (void)state;
    timeline tl;
    assert_int_equal(timeline_init(&tl, 0), 0);
    for (int i = 0; i < TIMELINE_MAX_EVENTS + 5; i++)
        timeline_event_add(&tl, TL_PROBE_DONE, i, "probe %d", i);
    assert_int_equal(tl.event_count, TIMELINE_MAX_EVENTS);
    assert_int_equal(tl.events_dropped, 5);
    assert_int_equal(tl.events[3].value, 3);
    assert_string_equal(tl.events[3].detail, "probe 3");
    /* past its capacity the pipe list thins itself: the first and the latest rows stay */
    for (int i = 0; i < TIMELINE_MAX_PIPE + 1; i++)
        timeline_pipe_add(&tl, 0, i, 1, TL_READER_NONE, 0);
    assert_int_equal(tl.pipe_count, TIMELINE_MAX_PIPE / 2 + 2);
    assert_int_equal(tl.pipe_dropped, TIMELINE_MAX_PIPE / 2 - 1);
    assert_int_equal(tl.pipe[0].pending, 0);
    assert_int_equal(tl.pipe[1].pending, 2);
    assert_int_equal(tl.pipe[tl.pipe_count - 2].pending, TIMELINE_MAX_PIPE - 1);
    assert_int_equal(tl.pipe[tl.pipe_count - 1].pending, TIMELINE_MAX_PIPE);
    assert_int_equal(timeline_kind_from_name("probe-done"), TL_PROBE_DONE);
    assert_int_equal(timeline_kind_from_name("no-such-event"), TL_KIND_COUNT);
    assert_int_equal(timeline_outcome_from_name(timeline_outcome_name(TL_OUTCOME_TIMED_OUT)),
                     TL_OUTCOME_TIMED_OUT);
    assert_int_equal(timeline_reader_from_name("draining"), TL_READER_DRAINING);
    assert_string_equal(timeline_kind_name(TL_FAULT_REACHED), "fault-reached");
    timeline_event_add(NULL, TL_VERDICT, 0, "ignored"); /* no timeline: nothing happens */
    timeline_free(&tl);
}

static void test_near_deadline(void **state)
{
    (void)state;
    assert_false(probes_is_near_deadline(1500, 2000));
    assert_true(probes_is_near_deadline(1501, 2000));
    assert_true(probes_is_near_deadline(1980, 2000));
    assert_false(probes_is_near_deadline(3, 2000));
}

/* A child in a session of its own is still found by its parent link. */
static void test_process_tree(void **state)
{
    (void)state;
    int ready[2];
    assert_int_equal(pipe(ready), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        setsid();
        char byte = 1;
        ssize_t ignored = write(ready[1], &byte, 1);
        (void)ignored;
        pause();
        _exit(0);
    }
    char byte = 0;
    assert_int_equal(read(ready[0], &byte, 1), 1); /* the child has called setsid */
    process_entry found[16];
    long n = process_tree_descendants(getpid(), found, 16);
#if defined(__linux__) || defined(__APPLE__)
    bool seen = false;
    for (long i = 0; i < n && i < 16; i++)
        if (found[i].pid == pid) {
            seen = true;
            assert_int_equal(found[i].sid, pid);
            assert_int_equal(found[i].pgid, pid);
        }
    assert_true(seen);
#else
    (void)n;
#endif
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(ready[0]);
    close(ready[1]);
    process_entry gone;
    assert_int_equal(process_tree_read(pid, &gone), -1);
}

static void test_port_template(void **state)
{
    (void)state;
    char *s = template_expand_port("--listen=127.0.0.1:{port},{port}", 8123);
    assert_string_equal(s, "--listen=127.0.0.1:8123,8123");
    free(s);
    s = template_expand_port("plain", 1);
    assert_string_equal(s, "plain");
    free(s);

    string_list env = STRING_LIST_INIT;
    string_list_add(&env, "STALLCHECK_UNIT_PORT=p{port}");
    string_list_add(&env, "PATH=/x");
    string_list_add(&env, "PATH=/y");
    char **vec = template_build_environment(&env, 99);
    int seen_port = 0, seen_path = 0;
    for (char **p = vec; *p; p++) {
        seen_port += strcmp(*p, "STALLCHECK_UNIT_PORT=p99") == 0;
        if (strncmp(*p, "PATH=", 5) == 0) {
            seen_path++;
            assert_string_equal(*p, "PATH=/y"); /* the last --env for a name wins */
        }
    }
    assert_int_equal(seen_port, 1);
    assert_int_equal(seen_path, 1);
    template_free_vector(vec);
    string_list_clear(&env);
}

static void test_default_trigger_body(void **state)
{
    (void)state;
    size_t len = 0;
    char *body = trigger_default_body(262144, &len);
    assert_non_null(body);
    assert_int_equal(strlen(body), len);
    cJSON *root = cJSON_Parse(body);
    assert_non_null(root);
    assert_string_equal(cJSON_GetObjectItem(root, "model")->valuestring, "claude-sonnet-4.5");
    assert_int_equal(cJSON_GetObjectItem(root, "max_tokens")->valueint, 64);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(root, "stream")));
    cJSON *msg = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "messages"), 0);
    assert_string_equal(cJSON_GetObjectItem(msg, "role")->valuestring, "user");
    assert_int_equal(strlen(cJSON_GetObjectItem(msg, "content")->valuestring), 262144);
    cJSON_Delete(root);
    free(body);
}

static void test_pipe_fullness(void **state)
{
    (void)state;
    assert_int_equal(log_pipe_full_slack(65536), 4096);
    assert_int_equal(log_pipe_full_slack(4096), 1024);
    assert_true(log_pipe_level_is_full(61440, 65536));
    assert_false(log_pipe_level_is_full(61439, 65536));
    assert_false(log_pipe_level_is_full(-1, 65536));

    log_pipe p;
    char err[256] = "";
    assert_int_equal(log_pipe_open(&p, "unit", 65536, err, sizeof err), 0);
    assert_true(p.capacity >= 4096);
    assert_true(p.inode != 0);
    assert_int_equal(log_pipe_pending(&p), 0);
    assert_false(log_pipe_is_full(&p));
    /* the writability probe: POSIX poll() on the harness's own duplicate of the write end, kept
     * out of the child (close-on-exec), on every road */
    assert_true(p.probe_fd >= 0);
    assert_true(fcntl(p.probe_fd, F_GETFD) & FD_CLOEXEC);
    assert_int_equal(log_pipe_has_room(&p), 1);
    /* fill it the way a logger would, without blocking */
    int flags = fcntl(p.write_fd, F_GETFL);
    fcntl(p.write_fd, F_SETFL, flags | O_NONBLOCK);
    char chunk[1000];
    memset(chunk, 'x', sizeof chunk);
    long written = 0;
    for (;;) {
        ssize_t n = write(p.write_fd, chunk, sizeof chunk);
        if (n <= 0)
            break;
        written += n;
    }
    assert_int_equal(log_pipe_pending(&p), written);
    assert_true(log_pipe_is_full(&p));
    assert_int_equal(log_pipe_has_room(&p), 0); /* no free slot: a writer would block */
    assert_int_equal(p.capacity, p.scratch_capacity);
    char tail[64];
    size_t drained = log_pipe_read_tail(&p, tail, sizeof tail);
    assert_int_equal((long)drained, written);
    assert_int_equal(strlen(tail), sizeof tail - 1);
    assert_false(log_pipe_is_full(&p));
    assert_int_equal(log_pipe_has_room(&p), 1); /* drained: room again */
    log_pipe_close_read(&p);
    assert_int_equal(log_pipe_has_room(&p), -1); /* no reader: nothing to ask */
    log_pipe_close(&p);
    assert_int_equal(p.probe_fd, -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_defaults),
        cmocka_unit_test(test_options_values),
        cmocka_unit_test(test_options_errors),
        cmocka_unit_test(test_options_help),
        cmocka_unit_test(test_reader_specs),
        cmocka_unit_test(test_scanner_stops_at_long_line),
        cmocka_unit_test(test_syscall_parse_and_render),
        cmocka_unit_test(test_thread_roles),
        cmocka_unit_test(test_cause_table),
        cmocka_unit_test(test_verdict_table),
        cmocka_unit_test(test_fault_tracker),
        cmocka_unit_test(test_thread_shape),
        cmocka_unit_test(test_timeline_bounds),
        cmocka_unit_test(test_near_deadline),
        cmocka_unit_test(test_process_tree),
        cmocka_unit_test(test_port_template),
        cmocka_unit_test(test_default_trigger_body),
        cmocka_unit_test(test_pipe_fullness),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
