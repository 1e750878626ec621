/* test_sample_parse.c: cmocka tests of the macOS `sample` report reader (sample_parse.c) on
 * Linux, on the report fixtures in fixtures/sample (written from sample(1)'s documented format:
 * see fixtures/sample/README.md).
 *
 * Each fixture is parsed the way evidence_macos.c parses a live report, then tallied and judged
 * by the same code the run uses (evidence_tally, thread_shape_describe, cause_decide), so these
 * tests show what a Mac would conclude from such a report: the blocking proxy's deadlock shape,
 * the fixed proxy's drain thread waiting in poll rather than write, Python's lock waiters parked
 * in condition waits, and the top-of-stack accounting across branches of a call tree. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "evidence.h"
#include "sample_parse.h"
#include "thread_shape.h"

#ifndef SAMPLE_FIXTURE_DIR
#error "SAMPLE_FIXTURE_DIR must name tests/stallcheck/fixtures/sample"
#endif

static char *load_fixture(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", SAMPLE_FIXTURE_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open fixture %s", path);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *copy = strdup(buf);
    assert_non_null(copy);
    return copy;
}

/* Parses a fixture into ev (tallied) and info. */
static void parse_fixture(const char *name, int pid, evidence *ev, sample_report_info *info)
{
    char *text = load_fixture(name);
    memset(ev, 0, sizeof *ev);
    ev->source = "sample";
    long n = sample_parse_report(text, pid, ev, info);
    free(text);
    assert_true(n >= 0);
    assert_int_equal((size_t)n, ev->count);
    evidence_tally(ev);
}

static const thread_evidence *thread_named(const evidence *ev, const char *name, size_t nth)
{
    for (size_t i = 0; i < ev->count; i++)
        if (strcmp(ev->threads[i].name, name) == 0 && nth-- == 0)
            return &ev->threads[i];
    fail_msg("no thread named '%s'", name);
    return NULL;
}

static size_t count_role(const evidence *ev, const char *name, thread_role role)
{
    size_t n = 0;
    for (size_t i = 0; i < ev->count; i++)
        n += strcmp(ev->threads[i].name, name) == 0 && ev->threads[i].role == role;
    return n;
}

/* The cause a stalled run with a full pipe that draining cured would give with this evidence. */
static const char *cause_of(const evidence *ev, char *detail, size_t size)
{
    cause_input in;
    memset(&in, 0, sizeof in);
    in.stalled = true;
    in.pipe_full = true;
    in.threads_seen = ev->count > 0;
    in.log_writers = ev->log_writers;
    in.lock_waiters = ev->lock_waiters;
    in.convoy_threads = ev->convoy_threads;
    in.idle = ev->idle;
    in.recovery_run = true;
    in.recovered = true;
    in.waits = "";
    return cause_decide(&in, detail, size);
}

static void test_classify_frames(void **state)
{
    (void)state;
    static const struct {
        const char *symbol, *image;
        thread_role role;
        const char *kind;
    } cases[] = {
        {"write", "libsystem_kernel.dylib", ROLE_LOG_WRITER, "write"},
        {"writev", "libsystem_kernel.dylib", ROLE_LOG_WRITER, "write"},
        {"__write_nocancel", "libsystem_kernel.dylib", ROLE_LOG_WRITER, "write"},
        {"__psynch_mutexwait", "libsystem_kernel.dylib", ROLE_LOCK_WAITER, "mutex wait"},
        {"__ulock_wait", "libsystem_kernel.dylib", ROLE_LOCK_WAITER, "unfair lock wait"},
        {"__psynch_rw_wrlock", "libsystem_kernel.dylib", ROLE_LOCK_WAITER, "rwlock wait"},
        {"__psynch_cvwait", "libsystem_kernel.dylib", ROLE_IDLE, "condition wait"},
        {"__workq_kernreturn", "libsystem_kernel.dylib", ROLE_IDLE, "parked worker"},
        {"semaphore_wait_trap", "libsystem_kernel.dylib", ROLE_IDLE, "semaphore wait"},
        {"kevent", "libsystem_kernel.dylib", ROLE_OTHER, "kevent"},
        {"kevent_id", "libsystem_kernel.dylib", ROLE_OTHER, "kevent"},
        {"poll", "libsystem_kernel.dylib", ROLE_OTHER, "poll"},
        {"__select", "libsystem_kernel.dylib", ROLE_OTHER, "select"},
        {"mach_msg2_trap", "libsystem_kernel.dylib", ROLE_OTHER, "mach message"},
        {"__semwait_signal", "libsystem_kernel.dylib", ROLE_OTHER, "sleep"},
        {"read", "libsystem_kernel.dylib", ROLE_OTHER, "read"},
        {"__some_new_syscall", "libsystem_kernel.dylib", ROLE_OTHER, "kernel call"},
        {"thread_suspend_trap", "", ROLE_OTHER, "kernel call"}, /* image unknown, a trap */
        {"compute", "srv", ROLE_RUNNING, "running"},
        {"???", "<unknown binary>", ROLE_RUNNING, "running"},
        /* a name is matched whole: a user function called write_log is ordinary code */
        {"write_log", "srv", ROLE_RUNNING, "running"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *kind = NULL;
        thread_role role = sample_classify_frame(cases[i].symbol, cases[i].image, &kind);
        if (role != cases[i].role || !kind || strcmp(kind, cases[i].kind) != 0)
            fail_msg("frame %s (in %s): role %s kind %s, expected %s %s", cases[i].symbol,
                     cases[i].image, thread_role_name(role), kind ? kind : "(null)",
                     thread_role_name(cases[i].role), cases[i].kind);
    }
    assert_int_equal(sample_classify_frame("write", NULL, NULL), ROLE_LOG_WRITER);
}

/* kiro-proxy-blocking frozen on its pipe: one writer holding the logger's lock, four request
 * threads behind it, the rest parked or waiting elsewhere. */
static void test_blocking_deadlock(void **state)
{
    (void)state;
    evidence ev;
    sample_report_info info;
    parse_fixture("blocking_deadlock.txt", 4242, &ev, &info);
    assert_true(info.call_graph_seen);
    assert_string_equal(info.process, "kiro-proxy-blocking");
    assert_int_equal(info.pid, 4242);
    assert_int_equal(info.threads, 10);
    assert_false(info.truncated);
    assert_int_equal(ev.count, 10);

    const thread_evidence *main_thread = thread_named(&ev, "com.apple.main-thread", 0);
    assert_int_equal(main_thread->tid, 2391461);
    assert_int_equal(main_thread->role, ROLE_OTHER);
    assert_string_equal(main_thread->wchan, "__sigwait");
    assert_int_equal(main_thread->samples, 823);
    assert_int_equal(main_thread->pid, 4242);

    const thread_evidence *writer = thread_named(&ev, "http-conn", 0);
    assert_int_equal(writer->tid, 2391502);
    assert_int_equal(writer->role, ROLE_LOG_WRITER);
    assert_true(writer->on_log_pipe); /* inferred: sample does not show fds */
    assert_int_equal(writer->fd, -1);
    assert_string_equal(writer->syscall, "write (sample: 823 of 823 on top)");
    assert_int_equal(count_role(&ev, "http-conn", ROLE_LOCK_WAITER), 4);
    assert_int_equal(thread_named(&ev, "MHD-listen", 0)->role, ROLE_OTHER);
    assert_int_equal(count_role(&ev, "upstream-pool", ROLE_IDLE), 2);
    assert_int_equal(thread_named(&ev, "Thread_2391480", 0)->role, ROLE_IDLE); /* GCD worker */

    assert_int_equal(ev.log_writers, 1);
    assert_int_equal(ev.lock_waiters, 4);
    assert_int_equal(ev.idle, 3);
    assert_int_equal(ev.convoy_threads, 4); /* no addresses: every mutex waiter is one group */
    assert_false(ev.convoy_address_known);

    char shape[384];
    thread_shape_describe(&ev, shape, sizeof shape);
    assert_non_null(strstr(shape, "1 thread(s) blocked writing the log pipe"));
    assert_non_null(strstr(shape, "4 waiting on a mutex (addresses not visible here)"));
    assert_non_null(strstr(shape, "3 parked in condition waits (taken as idle)"));
    char detail[512];
    assert_string_equal(cause_of(&ev, detail, sizeof detail), CAUSE_LOG_PIPE_DEADLOCK);
    evidence_free(&ev);
}

/* kiro-proxy-async with the pipe full: its drain thread waits in poll for POLLOUT, never in
 * write; no request thread waits on a lock. */
static void test_async_fixed(void **state)
{
    (void)state;
    evidence ev;
    sample_report_info info;
    parse_fixture("async_fixed.txt", 5120, &ev, &info);
    assert_int_equal(ev.count, 6);
    assert_int_equal(ev.log_writers, 0);
    assert_int_equal(ev.lock_waiters, 0);
    assert_int_equal(ev.idle, 1);
    const thread_evidence *drain = thread_named(&ev, "log-drain", 0);
    assert_int_equal(drain->role, ROLE_OTHER);
    assert_string_equal(drain->syscall, "poll (sample: 811 of 811 on top)");
    /* 2 samples caught the connection thread in libmicrohttpd code: the wait still wins */
    const thread_evidence *conn = thread_named(&ev, "http-conn", 0);
    assert_int_equal(conn->role, ROLE_OTHER);
    assert_string_equal(conn->syscall, "poll (sample: 809 of 811 on top)");
    char detail[512];
    assert_string_equal(cause_of(&ev, detail, sizeof detail), CAUSE_PIPE_FULL_UNCONFIRMED);
    evidence_free(&ev);
}

/* Python's logging.StreamHandler: the writer holds the handler's lock in write(2); the others
 * wait for that lock in a condition wait (CPython builds its locks from mutex + condition on
 * macOS), which the macOS road takes as idle: a blocked writer without a convoy. */
static void test_python_blocking(void **state)
{
    (void)state;
    evidence ev;
    sample_report_info info;
    parse_fixture("python_blocking.txt", 6302, &ev, &info);
    assert_string_equal(info.process, "Python");
    assert_int_equal(ev.count, 4);
    assert_int_equal(ev.log_writers, 1);
    assert_int_equal(ev.lock_waiters, 0);
    assert_int_equal(ev.idle, 2);
    assert_string_equal(thread_named(&ev, "Thread_2417010", 0)->syscall,
                        "write (sample: 806 of 806 on top)");
    assert_int_equal(thread_named(&ev, "com.apple.main-thread", 0)->role, ROLE_OTHER);
    char detail[512];
    assert_string_equal(cause_of(&ev, detail, sizeof detail), CAUSE_PIPE_WRITERS_BLOCKED);
    assert_non_null(strstr(detail, "no lock convoy"));
    evidence_free(&ev);
}

/* Branches of the call tree: each thread's role is the one with the most samples on top. */
static void test_branches(void **state)
{
    (void)state;
    evidence ev;
    sample_report_info info;
    parse_fixture("branches.txt", 77, &ev, &info);
    static const struct {
        const char *name;
        thread_role role;
        const char *syscall;
    } want[] = {
        /* 600 in write beat 400 on a CPU (running is never preferred to a wait) */
        {"worker", ROLE_LOG_WRITER, "__write_nocancel (sample: 600 of 1000 on top)"},
        /* 700 in a condition wait, 300 in a mutex wait */
        {"pool | queue", ROLE_IDLE, "__psynch_cvwait (sample: 700 of 1000 on top)"},
        {"cache", ROLE_LOCK_WAITER, "__ulock_wait2 (sample: 1000 of 1000 on top)"},
        {"jit", ROLE_RUNNING, "running in ??? (sample: 1000 of 1000 on top)"},
        {"com.apple.main-thread", ROLE_OTHER, "mach_msg2_trap (sample: 1000 of 1000 on top)"},
        {"spinner", ROLE_RUNNING, "running in spin (sample: 1000 of 1000 on top)"},
        /* kevent64 300 + sleep 200 + recvfrom 500: all "other", named by the largest */
        {"mixed", ROLE_OTHER, "__recvfrom (sample: 1000 of 1000 on top)"},
        {"far", ROLE_LOCK_WAITER, "__psynch_rw_rdlock (sample: 1000 of 1000 on top)"},
        {"empty", ROLE_UNKNOWN, "unknown (sample: no frames)"},
        {"unknown-kernel", ROLE_OTHER, "__some_new_syscall (sample: 1000 of 1000 on top)"},
    };
    assert_int_equal(ev.count, sizeof want / sizeof want[0]);
    assert_int_equal(info.threads, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const thread_evidence *t = thread_named(&ev, want[i].name, 0);
        if (t->role != want[i].role || strcmp(t->syscall, want[i].syscall) != 0)
            fail_msg("thread %s: %s '%s', expected %s '%s'", want[i].name,
                     thread_role_name(t->role), t->syscall, thread_role_name(want[i].role),
                     want[i].syscall);
        assert_int_equal(t->samples, 1000);
    }
    assert_int_equal(thread_named(&ev, "worker", 0)->tid, 100);
    assert_int_equal(thread_named(&ev, "far", 0)->tid, (int)(9000000000ULL & 0x7fffffffULL));
    assert_true(thread_named(&ev, "worker", 0)->on_log_pipe);
    assert_false(thread_named(&ev, "cache", 0)->on_log_pipe);
    evidence_free(&ev);
}

/* sample could not look at the process: no call graph, no threads, no crash. */
static void test_no_call_graph(void **state)
{
    (void)state;
    evidence ev;
    sample_report_info info;
    parse_fixture("no_permission.txt", 9, &ev, &info);
    assert_false(info.call_graph_seen);
    assert_int_equal(ev.count, 0);
    assert_null(ev.threads);
    evidence_free(&ev);
}

/* Threads are appended to what is there (a second process's report). */
static void test_appends(void **state)
{
    (void)state;
    evidence ev;
    sample_report_info info;
    parse_fixture("python_blocking.txt", 6302, &ev, &info);
    char *text = load_fixture("async_fixed.txt");
    assert_int_equal(sample_parse_report(text, 5120, &ev, NULL), 6);
    free(text);
    assert_int_equal(ev.count, 10);
    assert_int_equal(ev.threads[0].pid, 6302);
    assert_int_equal(ev.threads[9].pid, 5120);
    assert_string_equal(ev.threads[0].name, "com.apple.main-thread");
    evidence_tally(&ev);
    assert_int_equal(ev.log_writers, 1);
    evidence_free(&ev);
}

/* Every prefix of every report (a `sample` killed at its timeout leaves a partial one) parses
 * without crashing, and never yields more threads than the whole report. */
static void test_partial_reports(void **state)
{
    (void)state;
    static const char *const names[] = {"blocking_deadlock.txt", "branches.txt",
                                        "python_blocking.txt"};
    for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
        char *text = load_fixture(names[f]);
        size_t len = strlen(text);
        evidence whole;
        memset(&whole, 0, sizeof whole);
        long all = sample_parse_report(text, 1, &whole, NULL);
        evidence_free(&whole);
        for (size_t cut = 0; cut <= len; cut += 7) {
            char *part = strndup(text, cut);
            assert_non_null(part);
            evidence ev;
            memset(&ev, 0, sizeof ev);
            long n = sample_parse_report(part, 1, &ev, NULL);
            assert_true(n >= 0 && n <= all);
            for (size_t i = 0; i < ev.count; i++)
                assert_true(ev.threads[i].role < ROLE_COUNT);
            evidence_free(&ev);
            free(part);
        }
        free(text);
    }
}

/* A header with a hex id and lines with carriage returns (a report saved on another system). */
static void test_odd_lines(void **state)
{
    (void)state;
    const char *text = "Process:         odd [12]\r\n"
                       "Call graph:\r\n"
                       "    10 Thread_0x1f: hexed\r\n"
                       "    + 10 thread_start  (in libsystem_pthread.dylib) + 8  [0x1]\r\n"
                       "    +   10 __psynch_mutexwait  (in libsystem_kernel.dylib) + 8  [0x2]\r\n"
                       "    + not a frame\r\n"
                       "Binary Images:\r\n"
                       "    10 Thread_99: after the call graph\r\n";
    evidence ev;
    memset(&ev, 0, sizeof ev);
    sample_report_info info;
    assert_int_equal(sample_parse_report(text, 12, &ev, &info), 1);
    assert_string_equal(info.process, "odd");
    assert_int_equal(info.pid, 12);
    assert_int_equal(ev.threads[0].tid, 0x1f);
    assert_string_equal(ev.threads[0].name, "hexed");
    assert_int_equal(ev.threads[0].role, ROLE_LOCK_WAITER);
    evidence_free(&ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify_frames), cmocka_unit_test(test_blocking_deadlock),
        cmocka_unit_test(test_async_fixed),     cmocka_unit_test(test_python_blocking),
        cmocka_unit_test(test_branches),        cmocka_unit_test(test_no_call_graph),
        cmocka_unit_test(test_appends),         cmocka_unit_test(test_partial_reports),
        cmocka_unit_test(test_odd_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
