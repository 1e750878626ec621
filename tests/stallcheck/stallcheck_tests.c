/* stallcheck_tests.c: stallcheck's integration tests, one per entry of test_list.h.
 *
 * Usage: stallcheck-tests NAME STALLCHECK SERVER SERVERS_DIR WORK_DIR
 * Each test runs the real stallcheck binary against a test server with a known behaviour and
 * asserts on the exit status, the output and the --json fields. Most tests are rows of one
 * table (stallcheck options, server mode and options, expected exit status, expected JSON
 * fields, an optional extra check); the few that need more (a busy port, the watchdog, the
 * Python and Go servers) are functions. Every verdict test also asserts fault_reached, so a
 * test whose fault was never in place fails instead of passing on nothing. Deadlines are
 * generous (a busy two-core CI machine); nothing waits by sleeping: every wait is on a process
 * or a result.
 *
 * Roads. What a report can show depends on the build's platform road (platform.h), and every
 * test runs on every road with the expectations of that road:
 *   thread source  "proc" where KIRO_HAVE_PROC_EVIDENCE (Linux, native): thread shapes, futex
 *                  words, the exact cause; "none" in the portable build (and on a Mac without
 *                  `sample`): the same verdicts, the cause pipe-full-unconfirmed where the proc
 *                  road names log-pipe-deadlock or pipe-writers-blocked. (A Mac's "sample" road
 *                  is only checked for what every road shares.) Each report's evidence.source
 *                  is checked against the build, so a road that silently changed fails.
 *   subreaper      where KIRO_HAVE_CHILD_SUBREAPER, a daemon that double-forked away is adopted
 *                  and killed; without one (macOS, the portable build) it cannot be found, and
 *                  the test shows exactly that, then kills it itself. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "platform/platform.h"
#include "test_list.h"
#include "test_support.h"
#include "timeline_tests.h"

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

/* "@work:SUFFIX" in a table stands for a file of this test in the work directory. */
static void arg_expanded(test_context *t, arg_list *a, const char *s)
{
    if (strncmp(s, "@work:", 6) == 0)
        arg(a, test_work_file(t, s + 6));
    else
        arg(a, s);
}

/* stallcheck OPTIONS... --json <work>/<test>-report.json --junit ... */
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

static bool file_contains(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, needle) != NULL;
}

static bool json_string_has(const cJSON *root, const char *dotted, const char *needle)
{
    const cJSON *v = test_json_at(root, dotted);
    return cJSON_IsString(v) && strstr(v->valuestring, needle) != NULL;
}

/* ---- expectations on the JSON report ---- */

typedef enum expect_kind { EXP_END, EXP_STRING, EXP_BOOL, EXP_AT_LEAST, EXP_AT_MOST, EXP_EQUALS, EXP_NULL,
                           EXP_CONTAINS } expect_kind;

/* The road an expectation holds on (see the header comment). */
typedef enum road { ROAD_ANY, ROAD_PROC, ROAD_NO_THREADS } road;

typedef struct json_expect {
    expect_kind kind;
    const char *path;
    const char *text;  /* EXP_STRING, EXP_CONTAINS */
    double number;     /* EXP_BOOL (0/1), EXP_AT_LEAST, EXP_AT_MOST, EXP_EQUALS */
    road on;
} json_expect;

#define STR(p, v) { EXP_STRING, (p), (v), 0, ROAD_ANY }
#define HAS(p, v) { EXP_CONTAINS, (p), (v), 0, ROAD_ANY }
#define BOOL(p, v) { EXP_BOOL, (p), NULL, (v), ROAD_ANY }
#define MIN(p, v) { EXP_AT_LEAST, (p), NULL, (v), ROAD_ANY }
#define MAX(p, v) { EXP_AT_MOST, (p), NULL, (v), ROAD_ANY }
#define EQ(p, v) { EXP_EQUALS, (p), NULL, (v), ROAD_ANY }
#define ISNULL(p) { EXP_NULL, (p), NULL, 0, ROAD_ANY }
/* only where /proc thread evidence exists */
#define PROC_STR(p, v) { EXP_STRING, (p), (v), 0, ROAD_PROC }
#define PROC_HAS(p, v) { EXP_CONTAINS, (p), (v), 0, ROAD_PROC }
#define PROC_BOOL(p, v) { EXP_BOOL, (p), NULL, (v), ROAD_PROC }
#define PROC_MIN(p, v) { EXP_AT_LEAST, (p), NULL, (v), ROAD_PROC }
/* only where there is no thread source at all */
#define NONE_STR(p, v) { EXP_STRING, (p), (v), 0, ROAD_NO_THREADS }
#define NONE_HAS(p, v) { EXP_CONTAINS, (p), (v), 0, ROAD_NO_THREADS }
#define NONE_BOOL(p, v) { EXP_BOOL, (p), NULL, (v), ROAD_NO_THREADS }
#define NONE_EQ(p, v) { EXP_EQUALS, (p), NULL, (v), ROAD_NO_THREADS }

/* The thread source of a report: "proc", "sample", "none", or NULL when the run took none. */
static const char *thread_source(const cJSON *root)
{
    const cJSON *v = test_json_at(root, "evidence.source");
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The report's thread source is the one this build's road has. */
static void check_thread_source(test_context *t, const cJSON *root)
{
    const char *source = thread_source(root);
    if (!source)
        return; /* no evidence taken (an early error) */
#if KIRO_HAVE_PROC_EVIDENCE
    CHECK(t, strcmp(source, "proc") == 0, "evidence.source is %s, expected proc in a %s build", source,
          KIRO_PLATFORM_FLAVOR);
#elif defined(__APPLE__)
    CHECK(t, strcmp(source, "sample") == 0 || strcmp(source, "none") == 0,
          "evidence.source is %s, expected sample or none on macOS", source);
#else
    CHECK(t, strcmp(source, "none") == 0, "evidence.source is %s, expected none in a %s build", source,
          KIRO_PLATFORM_FLAVOR);
#endif
    const cJSON *platform = test_json_at(root, "platform");
    CHECK(t, cJSON_IsString(platform) && strcmp(platform->valuestring, KIRO_PLATFORM_FLAVOR) == 0,
          "platform should be %s", KIRO_PLATFORM_FLAVOR);
}

static bool road_holds(const cJSON *root, road on)
{
    const char *source = thread_source(root);
    switch (on) {
    case ROAD_ANY:
        return true;
    case ROAD_PROC:
        return source && strcmp(source, "proc") == 0;
    case ROAD_NO_THREADS:
        return source && strcmp(source, "none") == 0;
    }
    return false;
}

static void check_expect(test_context *t, const cJSON *root, const json_expect *e)
{
    if (!road_holds(root, e->on))
        return;
    switch (e->kind) {
    case EXP_END:
        return;
    case EXP_STRING:
        CHECK_JSON_STRING(t, root, e->path, e->text);
        return;
    case EXP_CONTAINS:
        CHECK(t, json_string_has(root, e->path, e->text), "%s should contain '%s'", e->path, e->text);
        return;
    case EXP_BOOL:
        CHECK_JSON_BOOL(t, root, e->path, e->number != 0);
        return;
    case EXP_NULL:
        CHECK(t, cJSON_IsNull(test_json_at(root, e->path)), "%s should be null", e->path);
        return;
    case EXP_AT_LEAST:
    case EXP_AT_MOST:
    case EXP_EQUALS: {
        double v = JSON_NUMBER(t, root, e->path);
        bool ok = e->kind == EXP_AT_LEAST ? v >= e->number : e->kind == EXP_AT_MOST ? v <= e->number : v == e->number;
        CHECK(t, ok, "%s is %.0f, expected %s %.0f", e->path, v,
              e->kind == EXP_AT_LEAST ? ">=" : e->kind == EXP_AT_MOST ? "<=" : "==", e->number);
        return;
    }
    }
}

/* ---- extra checks shared by several rows ---- */

/* Every probe: timed out with zero bytes, or answered 200 in time. */
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
        CHECK(t, cJSON_IsString(path) && cJSON_IsNumber(cJSON_GetObjectItem(p, "round")) &&
                     cJSON_IsNumber(cJSON_GetObjectItem(p, "latency_ms")) &&
                     cJSON_IsString(cJSON_GetObjectItem(p, "method")) &&
                     cJSON_IsBool(cJSON_GetObjectItem(p, "near_deadline")),
              "probe entry lacks method/path/round/latency_ms/near_deadline");
        const char *name = cJSON_IsString(path) ? path->valuestring : "?";
        if (expect_timeouts) {
            CHECK(t, cJSON_IsTrue(timed_out), "probe %s should have timed out", name);
            CHECK(t, cJSON_IsNumber(bytes) && bytes->valuedouble == 0, "a stalled probe received bytes");
            CHECK(t, cJSON_IsNull(status), "a stalled probe has a status");
        } else {
            CHECK(t, cJSON_IsFalse(timed_out), "probe %s timed out", name);
            CHECK(t, cJSON_IsNumber(status) && status->valuedouble == 200, "probe %s: status not 200", name);
            CHECK(t, cJSON_IsNumber(bytes) && bytes->valuedouble > 0, "an answered probe received no bytes");
        }
    }
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

/* The deadlock shape in threads[]: one thread in write(fd=2) on the log pipe, futex waiters
 * (the proc road); no threads at all where there is no thread source. */
static void check_deadlock_threads(test_context *t, const cJSON *root)
{
    if (road_holds(root, ROAD_NO_THREADS)) {
        CHECK(t, array_size(root, "threads") == 0, "no thread source, yet threads[] is not empty");
        return;
    }
    if (!road_holds(root, ROAD_PROC))
        return; /* macOS `sample`: no fds, no futex words */
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
    CHECK(t, waiters >= 2, "expected a convoy of futex waiters, saw %d", waiters);
    CHECK(t, JSON_NUMBER(t, root, "evidence.convoy.threads") >= 2, "no lock convoy in evidence.convoy");
}

static void extra_deadlock(test_context *t, const cJSON *root, const command_outcome *out)
{
    CHECK(t, strstr(out->out, "verdict") && strstr(out->out, "stalled"), "report lacks the verdict");
    CHECK(t, strstr(out->out, "shape:") != NULL, "report lacks the thread shape in words");
    check_pipe_full(t, root);
    check_probes(t, root, true, 2); /* the first round decided: no more rounds at a deadline each */
    check_deadlock_threads(t, root);
    CHECK(t, JSON_NUMBER(t, root, "trigger.body_bytes") > 262144, "the default trigger body is too small");
    CHECK(t, cJSON_IsString(test_json_at(root, "os")) && cJSON_IsString(test_json_at(root, "kernel")),
          "os/kernel missing");
    CHECK(t, array_size(root, "timeline.events") > 5, "the timeline has no events");
    CHECK(t, array_size(root, "timeline.pipe.rows") > 0, "the timeline has no pipe observations");
    const char *junit = test_work_file(t, "junit.xml");
    CHECK(t, file_contains(junit, "<testsuite name=\"stallcheck\" tests=\"3\" failures=\"1\""),
          "JUnit: expected 3 testcases (fault + the deciding round + verdict) with 1 failing round");
    CHECK(t, file_contains(junit, "name=\"fault established\""), "JUnit: no fault testcase");
    CHECK(t, file_contains(junit, "name=\"verdict\""), "JUnit: no verdict testcase");
    /* --summary: the Markdown a CI job page shows */
    const char *md = test_work_file(t, "summary.md");
    CHECK(t, file_contains(md, "### stallcheck: stalled ("), "summary: no heading with the verdict");
    CHECK(t, file_contains(md, " - PASS\n"), "summary: the gate passed (expectation met)");
    CHECK(t, file_contains(md, "| fault | established: full"), "summary: the fault row");
    CHECK(t, file_contains(md, "| probe 1 | `GET` `/v1/models` | - | 0 |"), "summary: the probe table");
    CHECK(t, file_contains(md, "**TIMEOUT**"), "summary: the timed-out probes");
    CHECK(t, file_contains(md, "| stdout+stderr | 65536 ("), "summary: the pipe figures");
    CHECK(t, file_contains(md, "#### Threads"), "summary: the thread shape");
    const cJSON *cause = test_json_at(root, "cause");
    char cause_cell[96];
    snprintf(cause_cell, sizeof cause_cell, "| cause | `%s`", cJSON_IsString(cause) ? cause->valuestring : "?");
    CHECK(t, file_contains(md, cause_cell), "summary: the cause row should name %s", cause_cell);
    if (road_holds(root, ROAD_PROC))
        CHECK(t, file_contains(md, "log-pipe-writer | `write(fd=2,"), "summary: the writer's row");
    else if (road_holds(root, ROAD_NO_THREADS))
        CHECK(t, file_contains(md, "source `none`"), "summary: no thread source, said so");
}

static void extra_inconclusive(test_context *t, const cJSON *root, const command_outcome *out)
{
    CHECK(t, strstr(out->out, "CI must treat") != NULL, "the report must say CI treats inconclusive as a failure");
    const char *md = test_work_file(t, "summary.md");
    CHECK(t, file_contains(md, "### stallcheck: inconclusive (fault-not-reached) - FAIL: inconclusive"),
          "summary: inconclusive is a failure in the heading");
    CHECK(t, file_contains(md, "| fault | **NOT established**"), "summary: the fault was not established");
    CHECK(t, file_contains(md, "exit status 3"), "summary: exit status 3");
    CHECK(t, file_contains(test_work_file(t, "junit.xml"), "inconclusive: the fault was not established"),
          "JUnit: the fault testcase should fail");
    CHECK(t, JSON_NUMBER(t, root, "pipe.pending") < 4096, "the pipe should be nearly empty");
}

static void extra_junit_verdict_fails(test_context *t, const cJSON *root, const command_outcome *out)
{
    (void)root;
    (void)out;
    CHECK(t, file_contains(test_work_file(t, "junit.xml"), "<failure message=\"verdict responsive, expected stalled\""),
          "JUnit: the verdict testcase should fail");
}

static void extra_slow(test_context *t, const cJSON *root, const command_outcome *out)
{
    (void)out;
    CHECK(t, JSON_NUMBER(t, root, "pipe.pending") < JSON_NUMBER(t, root, "pipe.capacity") / 2,
          "the slow server's pipe should be nearly empty");
    check_probes(t, root, true, 2);
}

static void extra_scanner(test_context *t, const cJSON *root, const command_outcome *out)
{
    (void)out;
    CHECK(t, JSON_NUMBER(t, root, "reader.stop_line_bytes") > 65536,
          "the line that stopped the scanner must be longer than the limit");
    double read = JSON_NUMBER(t, root, "reader.bytes_read");
    CHECK(t, read >= 65536 && read < 262144, "the scanner read %.0f bytes before stopping", read);
}

static void extra_drain(test_context *t, const cJSON *root, const command_outcome *out)
{
    (void)out;
    CHECK(t, JSON_NUMBER(t, root, "reader.bytes_read") > 262144, "the drain reader missed the long line");
    check_probes(t, root, false, 6);
}

static void extra_responsive_probes(test_context *t, const cJSON *root, const command_outcome *out)
{
    (void)out;
    check_probes(t, root, false, 6);
}

/* the rows drawn with --timeline: their timeline and picture too (timeline_tests.c) */
static void extra_deadlock_timeline(test_context *t, const cJSON *root, const command_outcome *out)
{
    extra_deadlock(t, root, out);
    check_timeline_run(t, root, out, true);
}

static void extra_responsive_timeline(test_context *t, const cJSON *root, const command_outcome *out)
{
    extra_responsive_probes(t, root, out);
    check_timeline_run(t, root, out, false);
}

static void extra_separate(test_context *t, const cJSON *root, const command_outcome *out)
{
    (void)out;
    CHECK(t, array_size(root, "pipes") == 2, "expected two pipes");
    check_pipe_full(t, root);
}

static void extra_filelog(test_context *t, const cJSON *root, const command_outcome *out)
{
    extra_inconclusive(t, root, out);
    CHECK(t, file_contains(test_work_file(t, "server.log"), "debug request body"),
          "the server should have logged the trigger to its file");
}

/* The convoy is on the logger's lock, not on the word the idle workers share. */
static void extra_idle_deadlock(test_context *t, const cJSON *root, const command_outcome *out)
{
    (void)out;
    if (!road_holds(root, ROAD_PROC))
        return; /* futex words are only visible in /proc */
    const cJSON *convoy = test_json_at(root, "evidence.convoy.address");
    int idle_workers = 0;
    const cJSON *th;
    cJSON_ArrayForEach(th, test_json_at(root, "threads"))
    {
        const cJSON *name = cJSON_GetObjectItem(th, "name");
        if (!cJSON_IsString(name) || strcmp(name->valuestring, "idle-worker") != 0)
            continue;
        idle_workers++;
        const cJSON *role = cJSON_GetObjectItem(th, "role");
        const cJSON *word = cJSON_GetObjectItem(th, "wait_address");
        CHECK(t, cJSON_IsString(role) && strcmp(role->valuestring, "idle") == 0, "an idle worker is not idle");
        CHECK(t, cJSON_IsString(convoy) && cJSON_IsString(word) && strcmp(convoy->valuestring, word->valuestring) != 0,
              "the convoy must not be the idle workers' word");
    }
    CHECK(t, idle_workers == 6, "expected 6 idle workers, saw %d", idle_workers);
}

/* Every pid the server wrote (itself, the daemon, the helper) is gone, and the escaped ones are
 * listed as killed. */
static void extra_escapees(test_context *t, const cJSON *root, const command_outcome *out)
{
    CHECK(t, strstr(out->out, "escaped the process group") != NULL, "the report should list the escaped process");
    pid_t pids[4];
    size_t n = test_read_pids(test_work_file(t, "pids.txt"), pids, 4);
    CHECK(t, n == 2, "the server should have written 2 pids (itself and the escaped one), found %zu", n);
    for (size_t i = 0; i < n; i++)
        CHECK(t, test_wait_pid_gone(pids[i], 10000), "process %d is still there after stallcheck exited",
              (int)pids[i]);
    const cJSON *escaped = cJSON_GetArrayItem(test_json_at(root, "child.escaped"), 0);
    const cJSON *pid = escaped ? cJSON_GetObjectItem(escaped, "pid") : NULL;
    CHECK(t, n == 2 && cJSON_IsNumber(pid) && (pid_t)pid->valuedouble == pids[1],
          "child.escaped[0].pid is not the escaped process");
    CHECK(t, escaped && cJSON_IsTrue(cJSON_GetObjectItem(escaped, "own_session")), "the escapee has its own session");
    CHECK(t, escaped && cJSON_IsTrue(cJSON_GetObjectItem(escaped, "killed")), "the escapee was not killed");
}

/* A daemon that double-forked away from the group. With a child subreaper it comes back to
 * stallcheck and is killed. Without one (macOS, the portable build) it is init's before the
 * first scan: stallcheck cannot know of it, says it has no subreaper, and the daemon outlives the
 * run - the limit the report and the README state. The test proves that limit, then kills it. */
static void extra_daemon(test_context *t, const cJSON *root, const command_outcome *out)
{
#if KIRO_HAVE_CHILD_SUBREAPER
    CHECK_JSON_BOOL(t, root, "child.subreaper", true);
    extra_escapees(t, root, out);
#else
    (void)out;
    CHECK_JSON_BOOL(t, root, "child.subreaper", false);
    CHECK(t, JSON_NUMBER(t, root, "child.escaped_seen") == 0, "no subreaper: the daemon cannot have been seen");
    pid_t pids[4];
    size_t n = test_read_pids(test_work_file(t, "pids.txt"), pids, 4);
    CHECK(t, n == 2, "the server should have written 2 pids (itself and the daemon), found %zu", n);
    if (n >= 1)
        CHECK(t, test_wait_pid_gone(pids[0], 10000), "the server itself (pid %d) survived", (int)pids[0]);
    if (n == 2) {
        CHECK(t, !test_pid_is_gone(pids[1]), "the daemon is gone although nothing could find it: the road changed?");
        kill(pids[1], SIGKILL);
        CHECK(t, test_wait_pid_gone(pids[1], 10000), "the daemon %d did not go after SIGKILL", (int)pids[1]);
    }
#endif
}

static void extra_stubborn(test_context *t, const cJSON *root, const command_outcome *out)
{
    (void)out;
    (void)root;
    pid_t pids[4];
    size_t n = test_read_pids(test_work_file(t, "pids.txt"), pids, 4);
    CHECK(t, n == 2, "the stubborn server should have written 2 pids, found %zu", n);
    for (size_t i = 0; i < n; i++)
        CHECK(t, test_wait_pid_gone(pids[i], 10000), "process %d is still there after stallcheck exited",
              (int)pids[i]);
}

static void extra_slots(test_context *t, const cJSON *root, const command_outcome *out)
{
    CHECK(t, out->elapsed_ms < 60000, "the run took %lld ms: the flood must stop at the kernel's full",
          (long long)out->elapsed_ms);
    CHECK(t, JSON_NUMBER(t, root, "trigger.sent") < 200, "the flood should stop long before 200 triggers");
    /* POLLOUT on stallcheck's duplicate of the write end sees the slots run out on every road */
    CHECK(t, json_string_has(root, "fault.summary", "full by slots"), "fault.summary should say full by slots");
}

static void extra_trigger_evidence(test_context *t, const cJSON *root, const command_outcome *out)
{
    (void)out;
    check_probes(t, root, false, 3);
    CHECK(t, json_string_has(root, "verdict_basis", "trigger"), "the verdict should rest on the trigger");
    CHECK(t, JSON_NUMBER(t, root, "trigger.unanswered") >= 1, "trigger.unanswered should count the hung trigger");
}

static void extra_near_deadline(test_context *t, const cJSON *root, const command_outcome *out)
{
    CHECK(t, strstr(out->out, "NEAR THE DEADLINE") && strstr(out->out, "margin is thin"),
          "the report should warn about the thin margin");
    const cJSON *probe = cJSON_GetArrayItem(test_json_at(root, "probes"), 0);
    CHECK(t, probe && cJSON_IsTrue(cJSON_GetObjectItem(probe, "near_deadline")), "probes[0].near_deadline");
    const char *md = test_work_file(t, "summary.md");
    CHECK(t, file_contains(md, "### stallcheck: responsive - PASS"), "summary: a responsive run passes");
    CHECK(t, file_contains(md, "ok, **near the deadline**"), "summary: the probe row flags the thin margin");
    CHECK(t, file_contains(md, "> **Warning**: 1 probe(s) answered after more than 75% of the 3900 ms deadline"),
          "summary: the near-deadline warning");
    CHECK(t, file_contains(md, "> - `GET` `/quiet/delay/3000` in round 1:"), "summary: which probe was near");
}

static void extra_close(test_context *t, const cJSON *root, const command_outcome *out)
{
    (void)out;
    /* the test server exits 32 on SIGTERM when a log write met EPIPE: it saw EPIPE and lived */
    CHECK(t, JSON_NUMBER(t, root, "child.exit_code") == 32,
          "the server should have seen EPIPE and survived until SIGTERM (exit 32)");
}

/* ---- the table ---- */

/* What a row needs beyond stallcheck itself. */
typedef enum row_needs {
    NEEDS_NOTHING,
    NEEDS_PACKET_PIPES /* the test server's O_DIRECT pipe: a Linux kernel facility of the fixture,
                          not a road of stallcheck's (every build on Linux runs these rows) */
} row_needs;

typedef struct scenario {
    const char *name;
    const char *options[16];        /* stallcheck options, NULL-terminated */
    const char *mode;               /* stall-test-server --mode */
    const char *server_options[8];  /* more server options, NULL-terminated */
    int exit_code;
    json_expect expect[24];         /* ends at the first EXP_END */
    void (*extra)(test_context *t, const cJSON *root, const command_outcome *out);
    row_needs needs;
} scenario;

/* The cause where the proc road names the shape and no thread source can see it. */
#define PIPE_CAUSE(proc_cause) PROC_STR("cause", proc_cause), NONE_STR("cause", "pipe-full-unconfirmed")

static const scenario scenarios[] = {
    { "deadlock_stalled", { "--expect", "stalled", "--summary", "@work:summary.md", "--timeline", "@work:timeline.svg" },
      "deadlock", { NULL }, 0,
      { STR("verdict", "stalled"), BOOL("fault_reached", 1), STR("fault.state", "pipe-full"),
        PIPE_CAUSE("log-pipe-deadlock"), BOOL("expect_met", 1), BOOL("recovered", 1),
        STR("reader.mode", "never"), STR("trigger.path", "/v1/messages"), MIN("child.pid", 1),
        PROC_MIN("evidence.log_pipe_writers", 1), NONE_EQ("evidence.log_pipe_writers", 0),
        NONE_HAS("cause_detail", "no thread evidence"), EQ("timing.rounds_run", 1),
        EQ("timing.rounds_skipped", 2), MIN("time_to_verdict_ms", 2000) },
      extra_deadlock_timeline, NEEDS_NOTHING },
    { "quiet_inconclusive", { "--fill-ms", "3000", "--summary", "@work:summary.md" }, "quiet", { NULL }, 3,
      { STR("verdict", "inconclusive"), STR("cause", "fault-not-reached"), BOOL("fault_reached", 0),
        STR("fault.state", "not-reached"), BOOL("pipe.full", 0), EQ("trigger.answered", 1), EQ("exit_code", 3) },
      extra_inconclusive, NEEDS_NOTHING },
    { "expect_not_met", { "--expect", "stalled", "--rounds", "1" }, "async", { NULL }, 1,
      { STR("verdict", "responsive"), BOOL("fault_reached", 1), BOOL("expect_met", 0), STR("expect", "stalled") },
      extra_junit_verdict_fails, NEEDS_NOTHING },
    { "slow_other_cause", { "--expect", "stalled", "--fill-ms", "3000" }, "slow", { NULL }, 0,
      { STR("verdict", "stalled"), STR("cause", "stalled-pipe-not-full"), BOOL("pipe.full", 0),
        BOOL("fault_reached", 0), BOOL("recovered", 0) },
      extra_slow, NEEDS_NOTHING },
    { "async_responsive", { "--expect", "responsive", "--timeline", "@work:timeline.svg" }, "async", { NULL }, 0,
      { STR("verdict", "responsive"), STR("cause", "none"), BOOL("fault_reached", 1), BOOL("pipe.full", 1),
        EQ("evidence.lock_waiters", 0), BOOL("recovered", 1), EQ("timing.rounds_run", 3) },
      extra_responsive_timeline, NEEDS_NOTHING },
    /* draining does not cure it: the cause is known on every road, threads or not */
    { "hang_not_pipe", { "--expect", "stalled" }, "hang", { NULL }, 0,
      { STR("verdict", "stalled"), BOOL("fault_reached", 1), BOOL("pipe.full", 1), BOOL("recovered", 0),
        STR("cause", "stalled-not-pipe"), HAS("cause_detail", "did not bring the server back") },
      NULL, NEEDS_NOTHING },
    { "filelog_inconclusive", { "--fill-ms", "3000", "--expect", "responsive", "--summary", "@work:summary.md" },
      "filelog", { "--log-file", "@work:server.log" }, 3,
      { STR("verdict", "inconclusive"), BOOL("fault_reached", 0), STR("cause", "fault-not-reached"),
        BOOL("expect_met", 0) },
      extra_filelog, NEEDS_NOTHING },
    { "single_writer", { "--expect", "stalled" }, "single", { NULL }, 0,
      { STR("verdict", "stalled"), BOOL("fault_reached", 1), PIPE_CAUSE("pipe-writers-blocked"),
        MAX("evidence.convoy.threads", 1), BOOL("recovered", 1), PROC_HAS("cause_detail", "no lock convoy"),
        NONE_HAS("cause_detail", "no thread evidence") },
      NULL, NEEDS_NOTHING },
    { "idle_threads_not_waiters", { "--expect", "responsive" }, "async", { "--idle-threads", "6" }, 0,
      { STR("verdict", "responsive"), BOOL("fault_reached", 1), EQ("evidence.lock_waiters", 0),
        MAX("evidence.convoy.threads", 0), PROC_MIN("evidence.idle", 6), PROC_BOOL("evidence.baseline", 1),
        NONE_BOOL("evidence.baseline", 0), NONE_EQ("evidence.baseline_threads", 0) },
      NULL, NEEDS_NOTHING },
    { "idle_threads_deadlock", { "--expect", "stalled", "--rounds", "1" }, "deadlock", { "--idle-threads", "6" }, 0,
      { STR("verdict", "stalled"), BOOL("fault_reached", 1), PIPE_CAUSE("log-pipe-deadlock"),
        PROC_MIN("evidence.idle", 6), PROC_MIN("evidence.convoy.threads", 2) },
      extra_idle_deadlock, NEEDS_NOTHING },
    { "daemon_reaped", { "--expect", "responsive", "--rounds", "1" }, "async",
      { "--spawn-daemon", "--pid-file", "@work:pids.txt" }, 0,
      { STR("verdict", "responsive"), BOOL("fault_reached", 1) },
      extra_daemon, NEEDS_NOTHING },
    /* a helper in a session of its own is the server's child: found by a scan on every road */
    { "session_helper_reaped", { "--expect", "responsive", "--rounds", "1" }, "async",
      { "--spawn-session-helper", "--pid-file", "@work:pids.txt" }, 0,
      { STR("verdict", "responsive"), BOOL("fault_reached", 1), EQ("child.escaped_seen", 1),
        BOOL("child.subreaper", KIRO_HAVE_CHILD_SUBREAPER) },
      extra_escapees, NEEDS_NOTHING },
    { "stubborn_reaped", { "--kill-grace-ms", "300", "--rounds", "1" }, "stubborn",
      { "--pid-file", "@work:pids.txt" }, 0,
      { STR("verdict", "responsive"), BOOL("fault_reached", 1), BOOL("child.sigterm_ignored", 1),
        EQ("child.exit_signal", 9) },
      extra_stubborn, NEEDS_NOTHING },
    { "slots_full_stalled",
      { "--expect", "stalled", "--flood", "200", "--trigger-body", "{\"small\":true}", "--rounds", "1" },
      "deadlock", { "--packet-pipe", "--line-bytes", "100" }, 0,
      { STR("verdict", "stalled"), BOOL("fault_reached", 1), MAX("pipe.pending", 8192), BOOL("pipe.writable", 0),
        STR("trigger.flood_stopped_because", "pipe-full"), BOOL("recovered", 1) },
      extra_slots, NEEDS_PACKET_PIPES },
    { "slots_full_responsive",
      { "--expect", "responsive", "--flood", "200", "--trigger-body", "{\"small\":true}", "--rounds", "1" },
      "async", { "--packet-pipe", "--line-bytes", "100" }, 0,
      { STR("verdict", "responsive"), BOOL("fault_reached", 1), MAX("fault.at_probe_start.pending", 8192),
        BOOL("fault.at_probe_start.writable", 0) },
      extra_slots, NEEDS_PACKET_PIPES },
    /* the probed route does not log: the trigger's route decides, by the blocked writer (proc) or
     * by the full pipe (no thread source) */
    { "trigger_evidence", { "--expect", "stalled", "--probe", "GET /quiet", "--rounds", "3" }, "deadlock", { NULL }, 0,
      { STR("verdict", "stalled"), BOOL("fault_reached", 1), PROC_MIN("evidence.log_pipe_writers", 1),
        NONE_HAS("verdict_basis", "no thread source here"), NONE_STR("cause", "pipe-full-unconfirmed"),
        BOOL("recovered", 1) },
      extra_trigger_evidence, NEEDS_NOTHING },
    { "near_deadline",
      { "--expect", "responsive", "--probe", "GET /quiet/delay/3000", "--deadline-ms", "3900", "--rounds", "1",
        "--summary", "@work:summary.md" },
      "async", { NULL }, 0,
      { STR("verdict", "responsive"), BOOL("fault_reached", 1), EQ("near_deadline", 1) },
      extra_near_deadline, NEEDS_NOTHING },
    { "reader_scanner", { "--expect", "stalled", "--reader", "scanner:65536" }, "deadlock", { NULL }, 0,
      { STR("verdict", "stalled"), BOOL("fault_reached", 1), PIPE_CAUSE("log-pipe-deadlock"),
        STR("reader.mode", "scanner"), BOOL("reader.stopped", 1), BOOL("fault.at_probe_start.reader_stopped", 1),
        BOOL("recovered", 1) },
      extra_scanner, NEEDS_NOTHING },
    { "reader_drain", { "--expect", "responsive", "--reader", "drain" }, "deadlock", { NULL }, 0,
      { STR("verdict", "responsive"), STR("cause", "none"), BOOL("fault_reached", 1), STR("fault.state", "baseline") },
      extra_drain, NEEDS_NOTHING },
    { "reader_close", { "--expect", "responsive", "--reader", "close" }, "deadlock", { NULL }, 0,
      { STR("verdict", "responsive"), BOOL("fault_reached", 1), STR("fault.state", "read-end-closed"),
        ISNULL("pipe.pending") },
      extra_close, NEEDS_NOTHING },
    { "reader_slow", { "--expect", "stalled", "--reader", "slow:4096" }, "deadlock", { NULL }, 0,
      { STR("verdict", "stalled"), STR("reader.mode", "slow"), MIN("reader.bytes_read", 1),
        MAX("reader.bytes_read", 200000), BOOL("recovered", 1) },
      NULL, NEEDS_NOTHING },
    { "separate_pipes", { "--expect", "stalled", "--separate-pipes", "--rounds", "1" }, "deadlock", { NULL }, 0,
      { STR("verdict", "stalled"), BOOL("fault_reached", 1), STR("pipe.name", "stderr"),
        PIPE_CAUSE("log-pipe-deadlock") },
      extra_separate, NEEDS_NOTHING },
    { "flood_small_lines",
      { "--expect", "stalled", "--trigger-body", "{\"small\":true}", "--flood", "500", "--trigger-timeout-ms",
        "2000", "--rounds", "1" },
      "deadlock", { NULL }, 0,
      { STR("verdict", "stalled"), BOOL("fault_reached", 1), MIN("trigger.sent", 10), MAX("trigger.sent", 499),
        STR("trigger.flood_stopped_because", "pipe-full"), BOOL("pipe.full", 1),
        PIPE_CAUSE("log-pipe-deadlock"), BOOL("recovered", 1) },
      NULL, NEEDS_NOTHING },
    { "trigger_none", { "--trigger", "none", "--expect", "responsive", "--fill-ms", "2000" }, "deadlock", { NULL }, 3,
      { STR("verdict", "inconclusive"), BOOL("trigger.enabled", 0), BOOL("fault_reached", 0),
        STR("cause", "fault-not-reached") },
      extra_responsive_probes, NEEDS_NOTHING },
};

static int run_scenario(test_context *t, const scenario *sc)
{
#if !defined(__linux__)
    if (sc->needs == NEEDS_PACKET_PIPES) {
        fprintf(stderr, "[%s] SKIP: the test server's packet-mode pipe (O_DIRECT) is Linux's\n", t->name);
        return TEST_SKIPPED;
    }
#endif
    unlink(test_work_file(t, "pids.txt"));
    unlink(test_work_file(t, "server.log"));
    arg_list a;
    command_outcome out;
    args_start(t, &a);
    for (size_t i = 0; sc->options[i]; i++)
        arg_expanded(t, &a, sc->options[i]);
    args_server(t, &a, sc->mode);
    for (size_t i = 0; sc->server_options[i]; i++)
        arg_expanded(t, &a, sc->server_options[i]);
    cJSON *root = run_and_load(t, &a, &out);
    CHECK(t, out.exit_code == sc->exit_code, "exit %d, expected %d", out.exit_code, sc->exit_code);
    if (root) {
        for (size_t i = 0; i < sizeof sc->expect / sizeof sc->expect[0] && sc->expect[i].kind != EXP_END; i++)
            check_expect(t, root, &sc->expect[i]);
        CHECK(t, cJSON_IsString(test_json_at(root, "child.exit")), "child.exit missing");
        check_thread_source(t, root);
        if (sc->extra)
            sc->extra(t, root, &out);
    }
    cJSON_Delete(root);
    test_outcome_free(&out);
    return 0;
}

/* ---- tests that are not table rows ---- */

/* a child that exits at start: exit 2 with its status and its last output */
static int test_exit_early(test_context *t)
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
    return 0;
}

/* bad options: exit 2 with a message, nothing started */
static int test_bad_options(test_context *t)
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
        { "--fill-ms", "-1", "--", "true", NULL },
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
    static const char *const ok_cases[][2] = { { "--help", "--fill-ms MS" }, { "--version", "stallcheck " } };
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
    return 0;
}

/* a port that is already taken: exit 2, and the server is never started */
static int test_port_busy(test_context *t)
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
    return 0;
}

/* the watchdog: a run longer than --timeout ends promptly with exit 2, the child killed, and
 * every report is still written with what was seen */
static int test_watchdog(test_context *t)
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
    arg(&a, "--summary");
    arg(&a, test_work_file(t, "summary.md"));
    args_server(t, &a, "deadlock");
    arg(&a, "--pid-file");
    arg(&a, pid_file);
    cJSON *root = run_and_load(t, &a, &out);
    CHECK(t, out.exit_code == 2, "exit %d, expected 2 (watchdog)", out.exit_code);
    CHECK(t, strstr(out.err, "watchdog") != NULL, "stderr should name the watchdog");
    CHECK(t, out.elapsed_ms >= 2500 && out.elapsed_ms < 20000, "the watchdog fired after %lld ms, not ~3 s",
          (long long)out.elapsed_ms);
    CHECK(t, strstr(out.out, "verdict   error") != NULL, "the text report should still be written");
    pid_t pids[2];
    size_t n = test_read_pids(pid_file, pids, 2);
    CHECK(t, n == 1, "the server should have written its pid");
    for (size_t i = 0; i < n; i++)
        CHECK(t, test_wait_pid_gone(pids[i], 10000), "process %d survived the watchdog", (int)pids[i]);
    if (root) {
        CHECK_JSON_STRING(t, root, "verdict", "error");
        CHECK(t, json_string_has(root, "error", "watchdog"), "error should name the watchdog");
        CHECK_JSON_BOOL(t, root, "fault_reached", true); /* what was seen before it fired */
        CHECK(t, cJSON_IsNumber(test_json_at(root, "pipe.capacity")), "the JSON should hold the pipe figures");
        CHECK(t, array_size(root, "timeline.events") > 3, "the JSON should hold the timeline so far");
    }
    CHECK(t, file_contains(test_work_file(t, "junit.xml"), "watchdog"), "JUnit should be written, naming the watchdog");
    const char *md = test_work_file(t, "summary.md");
    CHECK(t, file_contains(md, "### stallcheck: error - FAIL: error"), "the Markdown summary should be written too");
    CHECK(t, file_contains(md, "| error | watchdog: the run exceeded --timeout 3 s"), "summary: the watchdog's reason");
    CHECK(t, file_contains(md, "| fault | established:"), "summary: what was seen before it fired");
    cJSON_Delete(root);
    test_outcome_free(&out);
    return 0;
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

static bool is_pipe_cause(const cJSON *root)
{
    const cJSON *cause = test_json_at(root, "cause");
    return cJSON_IsString(cause) && (strcmp(cause->valuestring, "log-pipe-deadlock") == 0 ||
                                     strcmp(cause->valuestring, "pipe-writers-blocked") == 0);
}

/* Python with logging.StreamHandler: the same freeze */
static int test_python_blocking(test_context *t)
{
    cJSON *root = NULL;
    command_outcome out;
    if (python_server_run(t, "log_blocking_server.py", "stalled", &root, &out) == TEST_SKIPPED)
        return TEST_SKIPPED;
    CHECK(t, out.exit_code == 0, "exit %d, expected 0 (expectation stalled met)", out.exit_code);
    if (root) {
        CHECK_JSON_STRING(t, root, "verdict", "stalled");
        CHECK_JSON_BOOL(t, root, "fault_reached", true);
        check_thread_source(t, root);
        if (road_holds(root, ROAD_PROC))
            CHECK(t, is_pipe_cause(root), "cause should be log-pipe-deadlock or pipe-writers-blocked");
        if (road_holds(root, ROAD_NO_THREADS))
            CHECK_JSON_STRING(t, root, "cause", "pipe-full-unconfirmed");
        const cJSON *cause = test_json_at(root, "cause");
        fprintf(stderr, "[%s] observed cause: %s\n", t->name, cJSON_IsString(cause) ? cause->valuestring : "?");
        CHECK_JSON_BOOL(t, root, "recovered", true);
    }
    cJSON_Delete(root);
    test_outcome_free(&out);
    return 0;
}

/* Python with a bounded QueueHandler + QueueListener: responsive with the pipe full */
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
        CHECK_JSON_BOOL(t, root, "fault_reached", true);
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
        CHECK_JSON_BOOL(t, root, "fault_reached", true);
        check_thread_source(t, root);
        if (road_holds(root, ROAD_PROC)) {
            /* Go parks the goroutines behind the log mutex, not threads: one writer and idle Ms */
            CHECK(t, is_pipe_cause(root), "cause should be a pipe cause");
            CHECK(t, JSON_NUMBER(t, root, "evidence.processes") >= 2,
                  "`go run` and the server binary are both in the group and both examined");
        }
        if (road_holds(root, ROAD_NO_THREADS))
            CHECK_JSON_STRING(t, root, "cause", "pipe-full-unconfirmed");
    }
    cJSON_Delete(root);
    test_outcome_free(&out);
    return 0;
}

typedef struct test_entry {
    const char *name;
    int (*run)(test_context *t);
} test_entry;

static const test_entry function_tests[] = {
    { "exit_early", test_exit_early },       { "bad_options", test_bad_options },
    { "port_busy", test_port_busy },         { "watchdog", test_watchdog },
    { "python_blocking", test_python_blocking }, { "python_fixed", test_python_fixed },
    { "go_blocking", test_go_blocking },     { "timeline_compare", test_timeline_compare },
    { "progress_tty", test_progress_tty },
};

#define LISTED(name) #name,
static const char *const listed_tests[] = { STALLCHECK_TESTS(LISTED) };

static int run_named(test_context *t)
{
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
        if (strcmp(scenarios[i].name, t->name) == 0)
            return run_scenario(t, &scenarios[i]);
    for (size_t i = 0; i < sizeof function_tests / sizeof function_tests[0]; i++)
        if (strcmp(function_tests[i].name, t->name) == 0)
            return function_tests[i].run(t);
    fprintf(stderr, "test '%s' is listed in test_list.h but has neither a table row nor a function\n", t->name);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s TEST STALLCHECK SERVER SERVERS_DIR WORK_DIR\n", argv[0]);
        return 2;
    }
    test_paths paths = { argv[2], argv[3], argv[4], argv[5] };
    for (size_t i = 0; i < sizeof listed_tests / sizeof listed_tests[0]; i++) {
        if (strcmp(listed_tests[i], argv[1]) != 0)
            continue;
        test_context t = { &paths, listed_tests[i], 0 };
        int rc = run_named(&t);
        if (rc == TEST_SKIPPED || rc == 2)
            return rc;
        fprintf(stderr, "[%s] %s (%d failed check(s))\n", t.name, t.failures ? "FAILED" : "passed", t.failures);
        return t.failures ? 1 : 0;
    }
    fprintf(stderr, "unknown test '%s'\n", argv[1]);
    return 2;
}
