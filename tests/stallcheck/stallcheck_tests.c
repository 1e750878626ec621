/* stallcheck_tests.c: stallcheck's integration tests, one function per entry of test_list.h.
 *
 * Usage: stallcheck-tests NAME STALLCHECK SERVER SERVERS_DIR WORK_DIR
 * Each test runs the real stallcheck binary against a test server with a known behaviour and
 * asserts on the exit status, the output and the --json fields. Deadlines are generous (a busy
 * two-core CI machine); nothing waits by sleeping: every wait is on a process or a result. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test_list.h"
#include "test_support.h"

/* Bound of one stallcheck run inside a test (its own watchdog is 60 s by default). */
#define RUN_TIMEOUT_MS 100000

typedef struct arg_list {
    char *items[64];
    int count;
} arg_list;

static void arg(arg_list *a, const char *s)
{
    if (a->count < 63)
        a->items[a->count++] = strdup(s);
    a->items[a->count] = NULL;
}

static void args_free(arg_list *a)
{
    for (int i = 0; i < a->count; i++)
        free(a->items[i]);
    a->count = 0;
}

/* stallcheck OPTIONS... --json <work>/<test>-report.json --junit ... -- */
static void args_start(test_context *t, arg_list *a)
{
    memset(a, 0, sizeof *a);
    arg(a, t->paths->stallcheck);
    arg(a, "--json");
    arg(a, test_work_file(t, "report.json"));
    arg(a, "--junit");
    arg(a, test_work_file(t, "junit.xml"));
}

/* "-- stall-test-server --mode MODE --port {port}" */
static void args_server(test_context *t, arg_list *a, const char *mode)
{
    arg(a, "--");
    arg(a, t->paths->server);
    arg(a, "--mode");
    arg(a, mode);
    arg(a, "--port");
    arg(a, "{port}");
}

static cJSON *run_and_load(test_context *t, arg_list *a, command_outcome *out)
{
    test_run(t, a->items, RUN_TIMEOUT_MS, out);
    args_free(a);
    return test_load_json(t, test_work_file(t, "report.json"));
}

static int array_size(const cJSON *root, const char *dotted)
{
    const cJSON *v = test_json_at(root, dotted);
    return cJSON_IsArray(v) ? cJSON_GetArraySize(v) : -1;
}

/* Every probe: timed out with zero bytes ("0 bytes received"), or answered 200 in time. */
static void check_probes(test_context *t, const cJSON *root, bool expect_timeouts, int expected_count)
{
    const cJSON *probes = test_json_at(root, "probes");
    CHECK(t, array_size(root, "probes") == expected_count, "expected %d probes, got %d", expected_count,
          array_size(root, "probes"));
    const cJSON *p;
    cJSON_ArrayForEach(p, probes)
    {
        const cJSON *timed_out = cJSON_GetObjectItem(p, "timed_out");
        const cJSON *bytes = cJSON_GetObjectItem(p, "bytes");
        const cJSON *status = cJSON_GetObjectItem(p, "status");
        const cJSON *path = cJSON_GetObjectItem(p, "path");
        const cJSON *round = cJSON_GetObjectItem(p, "round");
        const cJSON *latency = cJSON_GetObjectItem(p, "latency_ms");
        CHECK(t, cJSON_IsString(path) && cJSON_IsNumber(round) && cJSON_IsNumber(latency) &&
                     cJSON_IsString(cJSON_GetObjectItem(p, "method")),
              "probe entry lacks method/path/round/latency_ms");
        if (expect_timeouts) {
            CHECK(t, cJSON_IsTrue(timed_out), "probe %s should have timed out", path ? path->valuestring : "?");
            CHECK(t, cJSON_IsNumber(bytes) && bytes->valuedouble == 0, "a stalled probe received bytes");
            CHECK(t, cJSON_IsNull(status), "a stalled probe has a status");
        } else {
            CHECK(t, cJSON_IsFalse(timed_out), "probe %s timed out", path ? path->valuestring : "?");
            CHECK(t, cJSON_IsNumber(status) && status->valuedouble == 200, "probe %s: status not 200",
                  path ? path->valuestring : "?");
            CHECK(t, cJSON_IsNumber(bytes) && bytes->valuedouble > 0, "an answered probe received no bytes");
        }
    }
}

/* The deadlock shape in threads[]: one thread in write(fd=2) on the log pipe, futex waiters. */
static void check_deadlock_threads(test_context *t, const cJSON *root)
{
#if defined(__linux__)
    int writers = 0, waiters = 0;
    const cJSON *th;
    cJSON_ArrayForEach(th, test_json_at(root, "threads"))
    {
        const cJSON *syscall = cJSON_GetObjectItem(th, "syscall");
        const cJSON *role = cJSON_GetObjectItem(th, "role");
        CHECK(t, cJSON_IsNumber(cJSON_GetObjectItem(th, "tid")) && cJSON_IsString(cJSON_GetObjectItem(th, "name")) &&
                     cJSON_IsString(cJSON_GetObjectItem(th, "state")) && cJSON_IsString(syscall),
              "thread entry lacks tid/name/state/syscall");
        if (!cJSON_IsString(syscall) || !cJSON_IsString(role))
            continue;
        if (strncmp(syscall->valuestring, "write(fd=2,", 11) == 0 &&
            cJSON_IsTrue(cJSON_GetObjectItem(th, "on_log_pipe")))
            writers++;
        if (strncmp(syscall->valuestring, "futex(", 6) == 0 && strcmp(role->valuestring, "lock-waiter") == 0)
            waiters++;
    }
    CHECK(t, writers == 1, "expected exactly one thread in write(fd=2) on the log pipe, saw %d", writers);
    CHECK(t, waiters >= 1, "expected threads waiting in futex, saw %d", waiters);
#else
    (void)t;
    (void)root;
#endif
}

static void check_pipe_full(test_context *t, const cJSON *root)
{
    double capacity = JSON_NUMBER(t, root, "pipe.capacity");
    double pending = JSON_NUMBER(t, root, "pipe.pending");
    CHECK(t, capacity >= 4096, "pipe.capacity %.0f is implausible", capacity);
    /* near capacity: partly filled pages leave a full pipe a few KiB short */
    CHECK(t, pending >= capacity - 8192 && pending <= capacity, "pipe.pending %.0f not near capacity %.0f",
          pending, capacity);
    CHECK_JSON_BOOL(t, root, "pipe.full", true);
}

static const char *expected_deadlock_cause(void)
{
#if defined(__linux__)
    return "log-pipe-deadlock";
#else
    return NULL; /* macOS: depends on whether `sample` is available */
#endif
}

static bool file_contains(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, needle) != NULL;
}

/* (a) the incident: stalled, cause log-pipe-deadlock, recovered after draining */
static void test_deadlock_stalled(test_context *t)
{
    arg_list a;
    command_outcome out;
    args_start(t, &a);
    arg(&a, "--expect");
    arg(&a, "stalled");
    args_server(t, &a, "deadlock");
    cJSON *root = run_and_load(t, &a, &out);
    CHECK(t, out.exit_code == 0, "exit %d, expected 0 (expectation stalled met)", out.exit_code);
    CHECK(t, strstr(out.out, "verdict") && strstr(out.out, "stalled"), "report lacks the verdict");
    if (root) {
        CHECK_JSON_STRING(t, root, "verdict", "stalled");
        if (expected_deadlock_cause())
            CHECK_JSON_STRING(t, root, "cause", expected_deadlock_cause());
        CHECK_JSON_BOOL(t, root, "expect_met", true);
        check_pipe_full(t, root);
        check_probes(t, root, true, 6);
        check_deadlock_threads(t, root);
        CHECK_JSON_BOOL(t, root, "recovered", true);
        CHECK(t, JSON_NUMBER(t, root, "child.pid") > 0, "child.pid missing");
        CHECK(t, cJSON_IsString(test_json_at(root, "child.exit")), "child.exit missing");
        CHECK(t, cJSON_IsString(test_json_at(root, "os")) && cJSON_IsString(test_json_at(root, "kernel")),
              "os/kernel missing");
        CHECK_JSON_STRING(t, root, "reader.mode", "never");
        CHECK_JSON_STRING(t, root, "trigger.path", "/v1/messages");
        CHECK(t, JSON_NUMBER(t, root, "trigger.body_bytes") > 262144, "the default trigger body is too small");
    }
    const char *junit = test_work_file(t, "junit.xml");
    CHECK(t, file_contains(junit, "<testsuite name=\"stallcheck\" tests=\"4\" failures=\"3\""),
          "JUnit: expected 4 testcases (3 rounds + verdict) with 3 failing rounds");
    CHECK(t, file_contains(junit, "name=\"verdict\""), "JUnit: no verdict testcase");
    cJSON_Delete(root);
    test_outcome_free(&out);
}

/* (b) a server that never logs stays responsive */
static void test_quiet_responsive(test_context *t)
{
    arg_list a;
    command_outcome out;
    args_start(t, &a);
    args_server(t, &a, "quiet");
    cJSON *root = run_and_load(t, &a, &out);
    CHECK(t, out.exit_code == 0, "exit %d, expected 0 (responsive, no --expect)", out.exit_code);
    if (root) {
        CHECK_JSON_STRING(t, root, "verdict", "responsive");
        CHECK_JSON_STRING(t, root, "cause", "none");
        check_probes(t, root, false, 6);
        CHECK(t, JSON_NUMBER(t, root, "pipe.pending") < 4096, "a server that never logs filled the pipe");
        CHECK_JSON_BOOL(t, root, "pipe.full", false);
        CHECK_JSON_BOOL(t, root, "recovered", true);
        CHECK(t, JSON_NUMBER(t, root, "trigger.answered") == 1, "the trigger should have been answered");
    }
    cJSON_Delete(root);
    test_outcome_free(&out);
}

/* an expectation that is not met: exit 1, and the JUnit verdict case fails */
static void test_expect_not_met(test_context *t)
{
    arg_list a;
    command_outcome out;
    args_start(t, &a);
    arg(&a, "--expect");
    arg(&a, "stalled");
    arg(&a, "--rounds");
    arg(&a, "1");
    args_server(t, &a, "quiet");
    cJSON *root = run_and_load(t, &a, &out);
    CHECK(t, out.exit_code == 1, "exit %d, expected 1 (expected stalled, was responsive)", out.exit_code);
    if (root) {
        CHECK_JSON_STRING(t, root, "verdict", "responsive");
        CHECK_JSON_BOOL(t, root, "expect_met", false);
        CHECK_JSON_STRING(t, root, "expect", "stalled");
    }
    CHECK(t, file_contains(test_work_file(t, "junit.xml"), "<failure message=\"verdict responsive, expected stalled\""),
          "JUnit: the verdict testcase should fail");
    cJSON_Delete(root);
    test_outcome_free(&out);
}

/* (c) a stall with a nearly empty pipe is reported as another cause, and draining does not help */
static void test_slow_other_cause(test_context *t)
{
    arg_list a;
    command_outcome out;
    args_start(t, &a);
    arg(&a, "--expect");
    arg(&a, "stalled");
    args_server(t, &a, "slow");
    cJSON *root = run_and_load(t, &a, &out);
    CHECK(t, out.exit_code == 0, "exit %d, expected 0 (expectation stalled met)", out.exit_code);
    if (root) {
        CHECK_JSON_STRING(t, root, "verdict", "stalled");
        CHECK_JSON_STRING(t, root, "cause", "stalled-pipe-not-full");
        CHECK_JSON_BOOL(t, root, "pipe.full", false);
        CHECK(t, JSON_NUMBER(t, root, "pipe.pending") < JSON_NUMBER(t, root, "pipe.capacity") / 2,
              "the slow server's pipe should be nearly empty");
        CHECK_JSON_BOOL(t, root, "recovered", false);
        check_probes(t, root, true, 6);
    }
    cJSON_Delete(root);
    test_outcome_free(&out);
}

/* (d) a child that exits at start: exit 2 with its status and its last output */
static void test_exit_early(test_context *t)
{
    arg_list a;
    command_outcome out;
    args_start(t, &a);
    args_server(t, &a, "exit");
    cJSON *root = run_and_load(t, &a, &out);
    CHECK(t, out.exit_code == 2, "exit %d, expected 2 (setup error)", out.exit_code);
    CHECK(t, strstr(out.err, "exited before it was ready") && strstr(out.err, "status 3"),
          "stderr should say the child exited with status 3");
    CHECK(t, strstr(out.out, "configuration file missing"), "the report should show the child's last output");
    CHECK(t, out.elapsed_ms < 15000, "an early exit took %lld ms to notice", (long long)out.elapsed_ms);
    if (root) {
        CHECK_JSON_STRING(t, root, "verdict", "error");
        CHECK(t, JSON_NUMBER(t, root, "child.exit_code") == 3, "child.exit_code should be 3");
        const cJSON *tail = test_json_at(root, "child.output_tail");
        CHECK(t, cJSON_IsString(tail) && strstr(tail->valuestring, "configuration file missing"),
              "child.output_tail should hold the child's message");
    }
    cJSON_Delete(root);
    test_outcome_free(&out);
}

/* (e) a child (and its helper) that ignore SIGTERM are killed and reaped anyway */
static void test_stubborn_reaped(test_context *t)
{
    const char *pid_file = test_work_file(t, "pids.txt");
    unlink(pid_file);
    arg_list a;
    command_outcome out;
    args_start(t, &a);
    arg(&a, "--kill-grace-ms");
    arg(&a, "300");
    arg(&a, "--rounds");
    arg(&a, "1");
    args_server(t, &a, "stubborn");
    arg(&a, "--pid-file");
    arg(&a, pid_file);
    cJSON *root = run_and_load(t, &a, &out);
    CHECK(t, out.exit_code == 0, "exit %d, expected 0 (responsive)", out.exit_code);
    if (root) {
        CHECK_JSON_BOOL(t, root, "child.sigterm_ignored", true);
        CHECK(t, JSON_NUMBER(t, root, "child.exit_signal") == 9, "the child should have needed SIGKILL");
    }
    pid_t pids[4];
    size_t n = test_read_pids(pid_file, pids, 4);
    CHECK(t, n == 2, "the stubborn server should have written 2 pids, found %zu", n);
    for (size_t i = 0; i < n; i++)
        CHECK(t, test_pid_is_gone(pids[i]), "process %d is still there after stallcheck exited", (int)pids[i]);
    cJSON_Delete(root);
    test_outcome_free(&out);
}

/* (f) the real launcher: a 64 KiB line-limited reader stops at the long line, the server stalls */
static void test_reader_scanner(test_context *t)
{
    arg_list a;
    command_outcome out;
    args_start(t, &a);
    arg(&a, "--expect");
    arg(&a, "stalled");
    arg(&a, "--reader");
    arg(&a, "scanner:65536");
    args_server(t, &a, "deadlock");
    cJSON *root = run_and_load(t, &a, &out);
    CHECK(t, out.exit_code == 0, "exit %d, expected 0 (expectation stalled met)", out.exit_code);
    if (root) {
        CHECK_JSON_STRING(t, root, "verdict", "stalled");
        if (expected_deadlock_cause())
            CHECK_JSON_STRING(t, root, "cause", expected_deadlock_cause());
        CHECK_JSON_STRING(t, root, "reader.mode", "scanner");
        CHECK_JSON_BOOL(t, root, "reader.stopped", true);
        CHECK(t, JSON_NUMBER(t, root, "reader.stop_line_bytes") > 65536,
              "the line that stopped the scanner must be longer than the limit");
        double read = JSON_NUMBER(t, root, "reader.bytes_read");
        CHECK(t, read >= 65536 && read < 262144, "the scanner read %.0f bytes before stopping", read);
        CHECK_JSON_BOOL(t, root, "recovered", true);
    }
    cJSON_Delete(root);
    test_outcome_free(&out);
}

/* (f) a healthy reader keeps the same server responsive: the baseline */
static void test_reader_drain(test_context *t)
{
    arg_list a;
    command_outcome out;
    args_start(t, &a);
    arg(&a, "--expect");
    arg(&a, "responsive");
    arg(&a, "--reader");
    arg(&a, "drain");
    args_server(t, &a, "deadlock");
    cJSON *root = run_and_load(t, &a, &out);
    CHECK(t, out.exit_code == 0, "exit %d, expected 0 (expectation responsive met)", out.exit_code);
    if (root) {
        CHECK_JSON_STRING(t, root, "verdict", "responsive");
        CHECK_JSON_STRING(t, root, "cause", "none");
        CHECK(t, JSON_NUMBER(t, root, "reader.bytes_read") > 262144, "the drain reader missed the long line");
        check_probes(t, root, false, 6);
    }
    cJSON_Delete(root);
    test_outcome_free(&out);
}

/* (f) a closed reader: the server (which ignores SIGPIPE) gets EPIPE and keeps answering */
static void test_reader_close(test_context *t)
{
    arg_list a;
    command_outcome out;
    args_start(t, &a);
    arg(&a, "--expect");
    arg(&a, "responsive");
    arg(&a, "--reader");
    arg(&a, "close");
    args_server(t, &a, "deadlock");
    cJSON *root = run_and_load(t, &a, &out);
    CHECK(t, out.exit_code == 0, "exit %d, expected 0 (expectation responsive met)", out.exit_code);
    if (root) {
        CHECK_JSON_STRING(t, root, "verdict", "responsive");
        CHECK(t, cJSON_IsNull(test_json_at(root, "pipe.pending")), "pipe.pending must be null with the read end closed");
        /* the test server exits 32 on SIGTERM when a log write met EPIPE: it saw EPIPE and lived */
        CHECK(t, JSON_NUMBER(t, root, "child.exit_code") == 32,
              "the server should have seen EPIPE and survived until SIGTERM (exit 32)");
    }
    cJSON_Delete(root);
    test_outcome_free(&out);
}

/* a reader far slower than the log: still stalled */
static void test_reader_slow(test_context *t)
{
    arg_list a;
    command_outcome out;
    args_start(t, &a);
    arg(&a, "--expect");
    arg(&a, "stalled");
    arg(&a, "--reader");
    arg(&a, "slow:4096");
    args_server(t, &a, "deadlock");
    cJSON *root = run_and_load(t, &a, &out);
    CHECK(t, out.exit_code == 0, "exit %d, expected 0 (expectation stalled met)", out.exit_code);
    if (root) {
        CHECK_JSON_STRING(t, root, "verdict", "stalled");
        CHECK_JSON_STRING(t, root, "reader.mode", "slow");
        double read = JSON_NUMBER(t, root, "reader.bytes_read");
        CHECK(t, read > 0 && read < 200000, "slow:4096 read %.0f bytes", read);
        CHECK_JSON_BOOL(t, root, "recovered", true);
    }
    cJSON_Delete(root);
    test_outcome_free(&out);
}

/* --separate-pipes: stderr on its own pipe; the fullest pipe is the one reported */
static void test_separate_pipes(test_context *t)
{
    arg_list a;
    command_outcome out;
    args_start(t, &a);
    arg(&a, "--expect");
    arg(&a, "stalled");
    arg(&a, "--separate-pipes");
    arg(&a, "--rounds");
    arg(&a, "1");
    args_server(t, &a, "deadlock");
    cJSON *root = run_and_load(t, &a, &out);
    CHECK(t, out.exit_code == 0, "exit %d, expected 0", out.exit_code);
    if (root) {
        CHECK(t, array_size(root, "pipes") == 2, "expected two pipes");
        CHECK_JSON_STRING(t, root, "pipe.name", "stderr");
        if (expected_deadlock_cause())
            CHECK_JSON_STRING(t, root, "cause", expected_deadlock_cause());
        check_pipe_full(t, root);
    }
    cJSON_Delete(root);
    test_outcome_free(&out);
}

/* --flood with small lines: the pipe fills with partly used pages, so FIONREAD stays several KiB
 * under capacity while the writer is blocked. The flood stops at the first unanswered trigger and
 * the deadlock is still recognised (the kernel reports no free buffer slot). */
static void test_flood_small_lines(test_context *t)
{
    arg_list a;
    command_outcome out;
    args_start(t, &a);
    arg(&a, "--expect");
    arg(&a, "stalled");
    arg(&a, "--trigger-body");
    arg(&a, "{\"small\":true}");
    arg(&a, "--flood");
    arg(&a, "500");
    arg(&a, "--trigger-timeout-ms");
    arg(&a, "2000");
    arg(&a, "--rounds");
    arg(&a, "1");
    args_server(t, &a, "deadlock");
    cJSON *root = run_and_load(t, &a, &out);
    CHECK(t, out.exit_code == 0, "exit %d, expected 0 (expectation stalled met)", out.exit_code);
    if (root) {
        double sent = JSON_NUMBER(t, root, "trigger.sent");
        CHECK(t, sent > 10 && sent < 500, "the flood sent %.0f triggers; it should stop once the server hangs", sent);
        CHECK_JSON_STRING(t, root, "trigger.flood_stopped_because", "no-answer");
        CHECK_JSON_BOOL(t, root, "pipe.full", true);
#if defined(__linux__)
        CHECK_JSON_STRING(t, root, "cause", "log-pipe-deadlock");
        CHECK_JSON_BOOL(t, root, "pipe.writable", false);
#endif
        CHECK_JSON_BOOL(t, root, "recovered", true);
    }
    cJSON_Delete(root);
    test_outcome_free(&out);
}

/* --trigger none: nothing fills the pipe, the same server answers */
static void test_trigger_none(test_context *t)
{
    arg_list a;
    command_outcome out;
    args_start(t, &a);
    arg(&a, "--trigger");
    arg(&a, "none");
    arg(&a, "--expect");
    arg(&a, "responsive");
    args_server(t, &a, "deadlock");
    cJSON *root = run_and_load(t, &a, &out);
    CHECK(t, out.exit_code == 0, "exit %d, expected 0 (expectation responsive met)", out.exit_code);
    if (root) {
        CHECK_JSON_BOOL(t, root, "trigger.enabled", false);
        CHECK_JSON_STRING(t, root, "cause", "none");
        check_probes(t, root, false, 6);
    }
    cJSON_Delete(root);
    test_outcome_free(&out);
}

/* (g) bad options: exit 2 with a message, nothing started */
static void test_bad_options(test_context *t)
{
    static const char *const cases[][6] = {
        { "--rounds", "0", "--", "true", NULL },
        { "--reader", "sometimes", "--", "true", NULL },
        { "--reader", "scanner:abc", "--", "true", NULL },
        { "--bogus", "--", "true", NULL },
        { "--expect", "maybe", "--", "true", NULL },
        { "--probe", "GET", "--", "true", NULL },
        { "-H", "NoColonHere", "--", "true", NULL },
        { "--port", "70000", "--", "true", NULL },
        { "--deadline-ms", NULL },
        { "--quiet", NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        arg_list a;
        memset(&a, 0, sizeof a);
        arg(&a, t->paths->stallcheck);
        for (size_t j = 0; cases[i][j]; j++)
            arg(&a, cases[i][j]);
        command_outcome out;
        test_run(t, a.items, 20000, &out);
        CHECK(t, out.exit_code == 2, "case %zu (%s): exit %d, expected 2", i, cases[i][0], out.exit_code);
        CHECK(t, strncmp(out.err, "stallcheck: ", 12) == 0, "case %zu: no clear message on stderr", i);
        args_free(&a);
        test_outcome_free(&out);
    }
    /* --help and --version are not errors */
    const char *const ok_cases[][2] = { { "--help", "--reader MODE" }, { "--version", "stallcheck " } };
    for (size_t i = 0; i < 2; i++) {
        arg_list a;
        memset(&a, 0, sizeof a);
        arg(&a, t->paths->stallcheck);
        arg(&a, ok_cases[i][0]);
        command_outcome out;
        test_run(t, a.items, 20000, &out);
        CHECK(t, out.exit_code == 0, "%s: exit %d", ok_cases[i][0], out.exit_code);
        CHECK(t, strstr(out.out, ok_cases[i][1]) != NULL, "%s: output lacks '%s'", ok_cases[i][0], ok_cases[i][1]);
        args_free(&a);
        test_outcome_free(&out);
    }
}

/* (g) a port that is already taken: exit 2, and the server is never started */
static void test_port_busy(test_context *t)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    CHECK(t, fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 && listen(fd, 4) == 0 &&
                 getsockname(fd, (struct sockaddr *)&addr, &len) == 0,
          "cannot set up the busy port: %s", strerror(errno));
    char port[16];
    snprintf(port, sizeof port, "%d", ntohs(addr.sin_port));
    const char *pid_file = test_work_file(t, "pids.txt");
    unlink(pid_file);

    arg_list a;
    command_outcome out;
    args_start(t, &a);
    arg(&a, "--port");
    arg(&a, port);
    args_server(t, &a, "quiet");
    arg(&a, "--pid-file");
    arg(&a, pid_file);
    cJSON *root = run_and_load(t, &a, &out);
    close(fd);
    CHECK(t, out.exit_code == 2, "exit %d, expected 2 (port busy)", out.exit_code);
    CHECK(t, strstr(out.err, "already in use") != NULL, "stderr should say the port is in use");
    CHECK(t, access(pid_file, F_OK) != 0, "the server must not be started on a busy port");
    if (root)
        CHECK_JSON_STRING(t, root, "verdict", "error");
    cJSON_Delete(root);
    test_outcome_free(&out);
}

/* (g) the watchdog: a run longer than --timeout ends promptly with exit 2, the child killed */
static void test_watchdog(test_context *t)
{
    const char *pid_file = test_work_file(t, "pids.txt");
    unlink(pid_file);
    arg_list a;
    command_outcome out;
    args_start(t, &a);
    arg(&a, "--timeout");
    arg(&a, "3");
    arg(&a, "--rounds");
    arg(&a, "10");
    arg(&a, "--deadline-ms");
    arg(&a, "5000"); /* the run alone would take 50 s */
    args_server(t, &a, "deadlock");
    arg(&a, "--pid-file");
    arg(&a, pid_file);
    cJSON *root = run_and_load(t, &a, &out);
    CHECK(t, out.exit_code == 2, "exit %d, expected 2 (watchdog)", out.exit_code);
    CHECK(t, strstr(out.err, "watchdog") != NULL, "stderr should name the watchdog");
    CHECK(t, out.elapsed_ms >= 2500 && out.elapsed_ms < 15000, "the watchdog fired after %lld ms, not ~3 s",
          (long long)out.elapsed_ms);
    pid_t pids[2];
    size_t n = test_read_pids(pid_file, pids, 2);
    CHECK(t, n == 1, "the server should have written its pid");
    for (size_t i = 0; i < n; i++)
        CHECK(t, test_pid_is_gone(pids[i]), "process %d survived the watchdog", (int)pids[i]);
    if (root)
        CHECK_JSON_STRING(t, root, "verdict", "error");
    cJSON_Delete(root);
    test_outcome_free(&out);
}

static int python_server_run(test_context *t, const char *script, const char *expect, cJSON **root_out,
                             command_outcome *out)
{
    if (!test_have_program("python3")) {
        fprintf(stderr, "[%s] SKIP: python3 not found on PATH\n", t->name);
        return TEST_SKIPPED;
    }
    char script_path[1024];
    snprintf(script_path, sizeof script_path, "%s/%s", t->paths->servers_dir, script);
    arg_list a;
    args_start(t, &a);
    arg(&a, "--expect");
    arg(&a, expect);
    arg(&a, "--startup-ms");
    arg(&a, "30000");
    arg(&a, "--");
    arg(&a, "python3");
    arg(&a, "-B"); /* no __pycache__ in the source tree */
    arg(&a, script_path);
    arg(&a, "--port");
    arg(&a, "{port}");
    *root_out = run_and_load(t, &a, out);
    return 0;
}

/* (h) Python with logging.StreamHandler: the same freeze */
static int test_python_blocking(test_context *t)
{
    cJSON *root = NULL;
    command_outcome out;
    if (python_server_run(t, "log_blocking_server.py", "stalled", &root, &out) == TEST_SKIPPED)
        return TEST_SKIPPED;
    CHECK(t, out.exit_code == 0, "exit %d, expected 0 (expectation stalled met)", out.exit_code);
    if (root) {
        CHECK_JSON_STRING(t, root, "verdict", "stalled");
        const cJSON *cause = test_json_at(root, "cause");
        bool pipe_cause = cJSON_IsString(cause) && (strcmp(cause->valuestring, "log-pipe-deadlock") == 0 ||
                                                   strcmp(cause->valuestring, "pipe-writers-blocked") == 0);
#if defined(__linux__)
        CHECK(t, pipe_cause, "cause should be log-pipe-deadlock or pipe-writers-blocked");
#endif
        fprintf(stderr, "[%s] observed cause: %s\n", t->name, cJSON_IsString(cause) ? cause->valuestring : "?");
        (void)pipe_cause;
        CHECK_JSON_BOOL(t, root, "recovered", true);
    }
    cJSON_Delete(root);
    test_outcome_free(&out);
    return 0;
}

/* (h) Python with a bounded QueueHandler + QueueListener: responsive */
static int test_python_fixed(test_context *t)
{
    cJSON *root = NULL;
    command_outcome out;
    if (python_server_run(t, "log_queue_server.py", "responsive", &root, &out) == TEST_SKIPPED)
        return TEST_SKIPPED;
    CHECK(t, out.exit_code == 0, "exit %d, expected 0 (expectation responsive met)", out.exit_code);
    if (root) {
        CHECK_JSON_STRING(t, root, "verdict", "responsive");
        CHECK_JSON_STRING(t, root, "cause", "none");
        /* the pipe did fill: only the listener thread is stuck, not the requests */
        CHECK_JSON_BOOL(t, root, "pipe.full", true);
        check_probes(t, root, false, 6);
    }
    cJSON_Delete(root);
    test_outcome_free(&out);
    return 0;
}

/* optional: Go's log package (mutex held across the write), through `go run` */
static int test_go_blocking(test_context *t)
{
    if (!test_have_program("go")) {
        fprintf(stderr, "[%s] SKIP: go not found on PATH\n", t->name);
        return TEST_SKIPPED;
    }
    char source[1024];
    snprintf(source, sizeof source, "%s/go_log_server.go", t->paths->servers_dir);
    arg_list a;
    command_outcome out;
    args_start(t, &a);
    arg(&a, "--expect");
    arg(&a, "stalled");
    arg(&a, "--startup-ms");
    arg(&a, "240000"); /* the first `go run` compiles net/http */
    arg(&a, "--timeout");
    arg(&a, "300");
    if (!getenv("HOME") && !getenv("GOCACHE") && !getenv("XDG_CACHE_HOME")) {
        char gocache[1100];
        snprintf(gocache, sizeof gocache, "GOCACHE=%s", test_work_file(t, "gocache"));
        arg(&a, "--env");
        arg(&a, gocache); /* go refuses to build without a cache directory */
    }
    arg(&a, "--");
    arg(&a, "go");
    arg(&a, "run");
    arg(&a, source);
    arg(&a, "--port");
    arg(&a, "{port}");
    test_run(t, a.items, 320000, &out);
    args_free(&a);
    cJSON *root = test_load_json(t, test_work_file(t, "report.json"));
    if (out.exit_code == 2 && root && cJSON_IsNumber(test_json_at(root, "child.exit_code"))) {
        /* `go run` itself failed (toolchain, cache, build): this optional test cannot run here */
        const cJSON *tail = test_json_at(root, "child.output_tail");
        fprintf(stderr, "[%s] SKIP: go run failed before the server was ready: %s\n", t->name,
                cJSON_IsString(tail) ? tail->valuestring : "(no output)");
        cJSON_Delete(root);
        test_outcome_free(&out);
        return TEST_SKIPPED;
    }
    CHECK(t, out.exit_code == 0, "exit %d, expected 0 (expectation stalled met)", out.exit_code);
    if (root) {
        CHECK_JSON_STRING(t, root, "verdict", "stalled");
        if (expected_deadlock_cause())
            CHECK_JSON_STRING(t, root, "cause", expected_deadlock_cause());
#if defined(__linux__)
        CHECK(t, JSON_NUMBER(t, root, "evidence.processes") >= 2,
              "`go run` and the server binary are both in the group and both examined");
#endif
    }
    cJSON_Delete(root);
    test_outcome_free(&out);
    return 0;
}

/* Adapters so that every test has the same signature. */
#define RETURNS_VOID(name) \
    static int run_##name(test_context *t) { test_##name(t); return 0; }
RETURNS_VOID(deadlock_stalled)
RETURNS_VOID(quiet_responsive)
RETURNS_VOID(expect_not_met)
RETURNS_VOID(slow_other_cause)
RETURNS_VOID(exit_early)
RETURNS_VOID(stubborn_reaped)
RETURNS_VOID(reader_scanner)
RETURNS_VOID(reader_drain)
RETURNS_VOID(reader_close)
RETURNS_VOID(reader_slow)
RETURNS_VOID(separate_pipes)
RETURNS_VOID(flood_small_lines)
RETURNS_VOID(trigger_none)
RETURNS_VOID(bad_options)
RETURNS_VOID(port_busy)
RETURNS_VOID(watchdog)
static int run_python_blocking(test_context *t) { return test_python_blocking(t); }
static int run_python_fixed(test_context *t) { return test_python_fixed(t); }
static int run_go_blocking(test_context *t) { return test_go_blocking(t); }

typedef struct test_entry {
    const char *name;
    int (*run)(test_context *t);
} test_entry;

#define ENTRY(name) { #name, run_##name },
static const test_entry all_tests[] = { STALLCHECK_TESTS(ENTRY) };

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s TEST STALLCHECK SERVER SERVERS_DIR WORK_DIR\n", argv[0]);
        return 2;
    }
    test_paths paths = { argv[2], argv[3], argv[4], argv[5] };
    for (size_t i = 0; i < sizeof all_tests / sizeof all_tests[0]; i++) {
        if (strcmp(all_tests[i].name, argv[1]) != 0)
            continue;
        test_context t = { &paths, all_tests[i].name, 0 };
        int rc = all_tests[i].run(&t);
        if (rc == TEST_SKIPPED)
            return TEST_SKIPPED;
        fprintf(stderr, "[%s] %s (%d failed check(s))\n", t.name, t.failures ? "FAILED" : "passed", t.failures);
        return t.failures ? 1 : 0;
    }
    fprintf(stderr, "unknown test '%s'\n", argv[1]);
    return 2;
}
