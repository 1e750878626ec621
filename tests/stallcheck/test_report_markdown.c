/* test_report_markdown.c: cmocka tests of the Markdown report (--summary, report_markdown.c):
 * what a CI job page shows for a stalled, an inconclusive and a near-deadline run, that text from
 * the run cannot break its tables, and the watchdog's minimal report. The integration tests
 * (stallcheck_tests.c) check the file a real run writes; these check every branch on results
 * built by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cause.h"
#include "options.h"
#include "report_markdown.h"

static char *render(const stall_result *r)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    report_markdown(f, r);
    long size = ftell(f);
    assert_true(size > 0);
    rewind(f);
    char *text = calloc(1, (size_t)size + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    return text;
}

static void assert_has(const char *text, const char *needle)
{
    if (!strstr(text, needle))
        fail_msg("the Markdown lacks '%s':\n%s", needle, text);
}

static void assert_lacks(const char *text, const char *needle)
{
    if (strstr(text, needle))
        fail_msg("the Markdown should not contain '%s':\n%s", needle, text);
}

/* Every table row has the same number of unescaped cell separators as its header. */
static void assert_tables_well_formed(const char *text)
{
    int columns = -1;
    const char *line = text;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > 0 && line[0] == '|') {
            int bars = 0;
            for (size_t i = 0; i < len; i++)
                bars += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
            if (columns < 0)
                columns = bars;
            else if (bars != columns)
                fail_msg("a table row has %d separators, its table %d: %.*s", bars, columns,
                         (int)len, line);
        } else {
            columns = -1; /* a new table starts after a non-table line */
        }
        if (!end)
            break;
        line = end + 1;
    }
}

static stall_options options;
static char *command_argv[] = {"stallcheck", "--expect", "stalled", "--",
                               "server",     "--port",   "{port}",  NULL};

static void make_result(stall_result *r, probe_result *probes, size_t probe_count,
                        thread_evidence *threads, size_t thread_count)
{
    options_init(&options);
    char err[256];
    assert_int_equal(options_parse(&options, 7, command_argv, stdout, err, sizeof err), OPTIONS_OK);
    memset(r, 0, sizeof *r);
    r->options = &options;
    r->verdict = VERDICT_STALLED;
    snprintf(r->verdict_basis, sizeof r->verdict_basis, "2 of 2 probe(s) missed their deadline");
    r->cause = CAUSE_LOG_PIPE_DEADLOCK;
    snprintf(r->cause_detail, sizeof r->cause_detail, "one thread is blocked writing it");
    r->expect_met = true;
    r->exit_code = 0;
    r->fault.reached = true;
    r->fault.state = FAULT_PIPE_FULL;
    r->fault.established_ms = 812;
    r->fault.fill_ms = 10000;
    snprintf(r->fault.summary, sizeof r->fault.summary, "full 65536/65536");
    r->verdict_ms = 3000;
    r->time_to_verdict_ms = 2900;
    snprintf(r->os, sizeof r->os, "Linux");
    snprintf(r->kernel, sizeof r->kernel, "6.18.0");
    snprintf(r->arch, sizeof r->arch, "x86_64");
    r->flavor = "portable";
    r->pipe_count = 1;
    snprintf(r->pipes[0].name, sizeof r->pipes[0].name, "stdout+stderr");
    r->pipes[0].capacity = 65536;
    r->pipes[0].capacity_source = "measured";
    r->pipes[0].pending = 65536;
    r->pipes[0].pending_after_trigger = 65000;
    r->pipes[0].pending_after_recovery = 0;
    r->pipes[0].has_room = 0;
    r->pipes[0].full = true;
    r->probes = probes;
    r->probe_count = probe_count;
    r->rounds_run = 1;
    r->rounds_skipped = 2;
    r->threads.threads = threads;
    r->threads.count = thread_count;
    r->threads.source = thread_count ? "proc" : "none";
    r->recovery_run = true;
    r->recovered = true;
    r->child_pid = 4242;
    snprintf(r->child_exit, sizeof r->child_exit, "killed by signal 15 (SIGTERM)");
    r->subreaper = true;
}

static void test_stalled_run(void **state)
{
    (void)state;
    probe_result probes[2] = {
        {1, "GET", "/v1/models", 0, false, true, 0, 2000, false, ""},
        {1, "GET", "/a|b`c", 0, false, true, 0, 2001, false, ""},
    };
    thread_evidence threads[3];
    memset(threads, 0, sizeof threads);
    threads[0] = (thread_evidence){.pid = 4242,
                                   .tid = 4250,
                                   .name = "http|conn",
                                   .role = ROLE_LOG_WRITER,
                                   .on_log_pipe = true,
                                   .syscall = "write(fd=2, count=262144)"};
    threads[1] = (thread_evidence){.pid = 4242,
                                   .tid = 4251,
                                   .name = "http-conn",
                                   .role = ROLE_LOCK_WAITER,
                                   .syscall = "futex(0x55d0, FUTEX_WAIT)"};
    threads[2] = (thread_evidence){.pid = 4242,
                                   .tid = 4260,
                                   .name = "idle-worker",
                                   .role = ROLE_IDLE,
                                   .syscall = "futex(0x77a0, FUTEX_WAIT)"};
    stall_result r;
    make_result(&r, probes, 2, threads, 3);
    r.threads.log_writers = 1;
    r.threads.lock_waiters = 1;
    r.threads.idle = 1;
    snprintf(r.shape, sizeof r.shape, "1 thread(s) blocked writing the log pipe");
    char *md = render(&r);
    assert_has(md, "### stallcheck: stalled (log-pipe-deadlock) - PASS\n");
    assert_has(md,
               "| verdict | **stalled** (expected stalled: met), exit status 0: 2 of 2 probe(s)");
    assert_has(md, "| cause | `log-pipe-deadlock`: one thread is blocked writing it |");
    assert_has(md,
               "| fault | established: full 65536/65536 after 812 ms (bound --fill-ms 10000) |");
    assert_has(md,
               "| time to verdict | 2900 ms after the trigger (fault 812 ms, probing 2088 ms) |");
    assert_has(md, "| command | `server --port {port}` |");
    assert_has(md, "Linux 6.18.0 x86\\_64, portable build");
    assert_has(md, "#### Probes");
    assert_has(md, "(2 more not run: the verdict was known)");
    assert_has(md, "| probe 1 | `GET` `/v1/models` | - | 0 | 2000 ms | **TIMEOUT** |");
    /* a backtick cannot live in a code span: the path is escaped text instead */
    assert_has(md, "| probe 1 | `GET` /a\\|b\\`c | - |");
    assert_has(md, "#### Threads");
    assert_has(md, "source `proc`");
    assert_has(md, "Shape: 1 thread(s) blocked writing the log pipe.");
    assert_has(md, "| 4242 | 4250 | http\\|conn | log-pipe-writer | `write(fd=2, count=262144)` "
                   "(the log pipe) |");
    /* the idle worker comes after the threads that explain the stall */
    assert_true(strstr(md, "| 4260 |") > strstr(md, "| 4251 |"));
    assert_has(md, "| stdout+stderr | 65536 (measured) | 65000 | 65536 | **yes** | **no** | 0 |");
    assert_has(md, "Recovery: the pipe was drained and probed again: **recovered**");
    assert_lacks(md, "subreaper");
    assert_lacks(md, "Warning");
    assert_tables_well_formed(md);
    free(md);
    options_free(&options);
}

static void test_inconclusive_without_threads(void **state)
{
    (void)state;
    probe_result probes[1] = {{1, "GET", "/health", 200, true, false, 120, 1700, true, ""}};
    stall_result r;
    make_result(&r, probes, 1, NULL, 0);
    r.verdict = VERDICT_INCONCLUSIVE;
    r.cause = CAUSE_FAULT_NOT_REACHED;
    r.exit_code = 3;
    r.expect_met = false;
    r.fault.reached = false;
    r.fault.state = FAULT_NOT_REACHED;
    snprintf(r.fault.summary, sizeof r.fault.summary, "NOT reached 1200/65536");
    r.near_deadline = 1;
    r.subreaper = false;
    snprintf(r.threads.note, sizeof r.threads.note, "no thread source in the portable build");
    snprintf(r.output_tail, sizeof r.output_tail, "last line ``` with a fence\nsecond line");
    char *md = render(&r);
    assert_has(md, "### stallcheck: inconclusive (fault-not-reached) - FAIL: inconclusive");
    assert_has(md, "(expected stalled: **NOT met**), exit status 3");
    assert_has(md, "| fault | **NOT established**: NOT reached 1200/65536");
    assert_has(md, "> **Inconclusive is not a pass**");
    assert_has(md, "ok, **near the deadline**");
    assert_has(md,
               "> **Warning**: 1 probe(s) answered after more than 75% of the 2000 ms deadline");
    assert_has(md, "> - `GET` `/health` in round 1: 1700 ms");
    assert_has(md, "source `none`, 0 sample(s)");
    assert_has(md, "_Note: no thread source in the portable build_");
    assert_lacks(md, "| pid | tid |");
    assert_has(md, "no child subreaper on this road");
    /* the child's output in a fence longer than any backtick run inside it */
    assert_has(md, "````text\nlast line ``` with a fence\nsecond line\n````\n");
    assert_tables_well_formed(md);
    free(md);
    options_free(&options);
}

static void test_error_run(void **state)
{
    (void)state;
    stall_result r;
    make_result(&r, NULL, 0, NULL, 0);
    r.verdict = VERDICT_ERROR;
    r.cause = NULL;
    r.exit_code = 2;
    r.verdict_ms = -1;
    r.fault.summary[0] = '\0';
    r.recovery_run = false;
    r.pipe_count = 0;
    r.threads.source = NULL;
    snprintf(r.error, sizeof r.error, "watchdog: the run exceeded --timeout 3 s | killed");
    char *md = render(&r);
    assert_has(md, "### stallcheck: error - FAIL: error\n");
    assert_has(md, "| cause | none (no verdict) |");
    assert_has(md, "| fault | not built (the run ended before) |");
    assert_has(md, "| error | watchdog: the run exceeded --timeout 3 s \\| killed |");
    assert_lacks(md, "time to verdict");
    assert_lacks(md, "#### Probes");
    assert_lacks(md, "#### Pipe");
    assert_lacks(md, "Recovery:");
    assert_tables_well_formed(md);
    free(md);
    options_free(&options);
}

static void test_escape_and_files(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    report_markdown_escape(f, "a|b*c_d`e\\f<g>[h]#i~j\nk\tl\x01m");
    long size = ftell(f);
    rewind(f);
    char text[128] = "";
    assert_true(size > 0 && size < (long)sizeof text);
    assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    assert_string_equal(text, "a\\|b\\*c\\_d\\`e\\\\f\\<g\\>\\[h\\]\\#i\\~j k lm");

    char dir[] = "/tmp/stallcheck-md.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/summary.md", dir);
    assert_int_equal(
        report_write_markdown_minimal(path, "watchdog: the run exceeded --timeout 3 s", 99), 0);
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    char buf[1024] = "";
    size_t n = fread(buf, 1, sizeof buf - 1, in);
    fclose(in);
    buf[n] = '\0';
    assert_has(buf, "### stallcheck: error - FAIL: error");
    assert_has(
        buf,
        "| error | watchdog: the run exceeded --timeout 3 s; the run did not finish its reports, "
        "the child (pid 99) was killed |");
    assert_tables_well_formed(buf);
    unlink(path);
    snprintf(path, sizeof path, "%s/missing-dir/summary.md", dir);
    assert_int_equal(report_write_markdown_minimal(path, "x", 1), -1); /* no directory: an error */
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stalled_run),
        cmocka_unit_test(test_inconclusive_without_threads),
        cmocka_unit_test(test_error_run),
        cmocka_unit_test(test_escape_and_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
