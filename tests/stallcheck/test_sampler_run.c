/* test_sampler_run.c: cmocka tests of evidence_macos.c's sampler road - spawning `sample`,
 * reading its -file report (or its output), bounding it by a timeout and killing it past that -
 * on Linux, where `sample` does not exist.
 *
 * The sampler branch is compiled here with STALLCHECK_TEST_SAMPLER=1 (stallcheck itself only
 * builds it on macOS), and a stand-in `sample` (fake_sample.sh, put first on PATH) prints the
 * report fixtures the way the real tool would. What this cannot show is the real tool; what it
 * does show is that the code around it spawns, reads, times out, kills and cleans up as meant. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "evidence.h"

#ifndef SAMPLE_FIXTURE_DIR
#error "SAMPLE_FIXTURE_DIR must name tests/stallcheck/fixtures/sample"
#endif
#ifndef FAKE_SAMPLE_SCRIPT
#error "FAKE_SAMPLE_SCRIPT must name tests/stallcheck/fake_sample.sh"
#endif

static char bin_dir[] = "/tmp/stallcheck-fake-sample.XXXXXX";
static char pid_file[256];

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The entries in the test's own TMPDIR, where evidence_macos.c makes its report directory. */
static char tmp_dir[300];

static int count_entries(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(bin_dir))
        return -1;
    char link_path[256];
    snprintf(link_path, sizeof link_path, "%s/sample", bin_dir);
    if (symlink(FAKE_SAMPLE_SCRIPT, link_path) != 0)
        return -1;
    snprintf(pid_file, sizeof pid_file, "%s/sample.pid", bin_dir);
    snprintf(tmp_dir, sizeof tmp_dir, "%s/tmp", bin_dir);
    if (mkdir(tmp_dir, 0700) != 0)
        return -1;
    setenv("TMPDIR", tmp_dir, 1);
    char path[512];
    snprintf(path, sizeof path, "%s:/usr/bin:/bin", bin_dir);
    setenv("PATH", path, 1);
    setenv("FAKE_SAMPLE_PID_FILE", pid_file, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char link_path[256];
    snprintf(link_path, sizeof link_path, "%s/sample", bin_dir);
    unlink(link_path);
    unlink(pid_file);
    rmdir(tmp_dir);
    rmdir(bin_dir);
    return 0;
}

static void collect(const char *mode, const char *fixture, long timeout_ms, evidence *ev)
{
    setenv("FAKE_SAMPLE_MODE", mode, 1);
    char report[512];
    snprintf(report, sizeof report, "%s/%s", SAMPLE_FIXTURE_DIR, fixture);
    setenv("FAKE_SAMPLE_REPORT", report, 1);
    evidence_request req;
    memset(&req, 0, sizeof req);
    req.pid = getpid();
    req.pgid = getpgrp();
    req.samples = 1;
    req.timeout_ms = timeout_ms;
    evidence_collect(&req, ev);
}

static void test_report_file(void **state)
{
    (void)state;
    evidence ev;
    collect("file", "blocking_deadlock.txt", 20000, &ev);
    assert_string_equal(ev.source, "sample");
    assert_int_equal(ev.count, 10);
    assert_int_equal(ev.log_writers, 1);
    assert_int_equal(ev.lock_waiters, 4);
    assert_int_equal(ev.threads[0].pid, (int)getpid());
    assert_non_null(strstr(ev.note, "group leader"));
    assert_false(evidence_baseline_is_cheap());
    evidence_free(&ev);
    assert_int_equal(count_entries(tmp_dir),
                     0); /* its report directory was in TMPDIR, and is gone */
}

static void test_report_on_stdout(void **state)
{
    (void)state;
    evidence ev;
    collect("stdout", "python_blocking.txt", 20000, &ev);
    assert_string_equal(ev.source, "sample");
    assert_int_equal(ev.count, 4);
    assert_int_equal(ev.log_writers, 1);
    assert_int_equal(ev.idle, 2);
    evidence_free(&ev);
}

/* A `sample` that never finishes is killed at the timeout, and the run goes on. */
static void test_timeout_kills_the_sampler(void **state)
{
    (void)state;
    unlink(pid_file);
    int64_t start = now_ms();
    evidence ev;
    collect("hang", "blocking_deadlock.txt", 500, &ev);
    int64_t took = now_ms() - start;
    assert_true(took >= 450);
    assert_true(took < 15000); /* generous: a busy machine, but never the sampler's 1000 s */
    assert_string_equal(ev.source, "sample");
    assert_int_equal(ev.count, 0);
    assert_non_null(strstr(ev.note, "did not finish within 500 ms"));
    evidence_free(&ev);
    assert_int_equal(count_entries(tmp_dir), 0);
    FILE *f = fopen(pid_file, "r");
    assert_non_null(f);
    int pid = 0;
    assert_int_equal(fscanf(f, "%d", &pid), 1);
    fclose(f);
    assert_true(pid > 0);
    /* killed and reaped by evidence_collect: no such process any more */
    assert_int_equal(kill(pid, 0), -1);
    assert_int_equal(errno, ESRCH);
}

static void test_sample_refused(void **state)
{
    (void)state;
    evidence ev;
    collect("denied", "blocking_deadlock.txt", 20000, &ev);
    assert_string_equal(ev.source, "sample");
    assert_int_equal(ev.count, 0);
    assert_non_null(strstr(ev.note, "no thread call graph"));
    evidence_free(&ev);
}

/* No `sample` on PATH: the no-sampler road a Mac without the tool takes. */
static void test_sample_missing(void **state)
{
    (void)state;
    const char *saved = getenv("PATH");
    char *copy = strdup(saved);
    assert_non_null(copy);
    setenv("PATH", "/nonexistent", 1);
    evidence ev;
    collect("file", "blocking_deadlock.txt", 20000, &ev);
    setenv("PATH", copy, 1);
    free(copy);
    assert_string_equal(ev.source, "none");
    assert_int_equal(ev.count, 0);
    assert_non_null(strstr(ev.note, "`sample` is not available"));
    evidence_free(&ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_file),
        cmocka_unit_test(test_report_on_stdout),
        cmocka_unit_test(test_timeout_kills_the_sampler),
        cmocka_unit_test(test_sample_refused),
        cmocka_unit_test(test_sample_missing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
