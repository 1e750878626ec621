/* timeline_tests.c: the timeline, its pictures and the live status line, checked on real runs.
 *
 * - check_timeline_run: after a table row ran with --timeline, its JSON timeline covers the
 *   whole run (samples before readiness and after the recovery, about every 10 ms, the reader's
 *   state), its probe events carry route, interval and outcome, its SVG is well-formed with the
 *   lanes, bars and markers the verdict implies, and stallcheck-compare drawing the same run
 *   from the JSON alone writes the very same bytes.
 * - timeline_compare: a stalled and a responsive fixture side by side in one picture.
 * - progress_tty: on a terminal (a pseudo-terminal here) stallcheck draws its status line with
 *   the phases; with --no-progress it does not; captured output never has it (checked by the
 *   rows themselves: no '\r' in their stdout). */
#include "timeline_tests.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "svg_facts.h"

/* Bound of one stallcheck run inside a test (its own watchdog is 60 s by default). */
#define RUN_TIMEOUT_MS 100000

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        char *grown = realloc(buf, cap * 2);
        if (!grown) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        cap *= 2;
    }
    fclose(f);
    if (len)
        *len = n;
    return buf;
}

static const char *compare_binary(test_context *t)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s", t->paths->stallcheck);
    char *slash = strrchr(path, '/');
    snprintf(slash ? slash + 1 : path, sizeof path - (size_t)(slash ? slash + 1 - path : 0),
             "stallcheck-compare");
    return path;
}

static double event_time(const cJSON *root, const char *name)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, test_json_at(root, "timeline.events"))
    {
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(e, "event");
        if (cJSON_IsString(kind) && strcmp(kind->valuestring, name) == 0)
            return cJSON_GetObjectItemCaseSensitive(e, "t_ms")->valuedouble;
    }
    return -1;
}

/* The probe-done events of a phase ("probe", "recovery") with an outcome ("timed-out", ...). */
static int probe_done_count(const cJSON *root, const char *phase, const char *outcome)
{
    int n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, test_json_at(root, "timeline.events"))
    {
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(e, "event");
        const cJSON *ph = cJSON_GetObjectItemCaseSensitive(e, "phase");
        const cJSON *oc = cJSON_GetObjectItemCaseSensitive(e, "outcome");
        const cJSON *route = cJSON_GetObjectItemCaseSensitive(e, "route");
        const cJSON *start = cJSON_GetObjectItemCaseSensitive(e, "start_ms");
        if (cJSON_IsString(kind) && strcmp(kind->valuestring, "probe-done") == 0 &&
            cJSON_IsString(ph) && strcmp(ph->valuestring, phase) == 0 && cJSON_IsString(oc) &&
            strcmp(oc->valuestring, outcome) == 0 && cJSON_IsNumber(route) && cJSON_IsNumber(start))
            n++;
    }
    return n;
}

static void check_samples(test_context *t, const cJSON *root)
{
    const cJSON *rows = test_json_at(root, "timeline.pipe.rows");
    int count = cJSON_GetArraySize(rows);
    CHECK(t, count >= 10, "the sampler took %d looks", count);
    if (count < 10)
        return;
    double first = cJSON_GetArrayItem(cJSON_GetArrayItem(rows, 0), 0)->valuedouble;
    double last = cJSON_GetArrayItem(cJSON_GetArrayItem(rows, count - 1), 0)->valuedouble;
    double ready = event_time(root, "ready"), recovery = event_time(root, "recovery");
    CHECK(t, ready >= 0 && first <= ready, "sampling starts before readiness (%.0f, ready %.0f)",
          first, ready);
    CHECK(t, recovery >= 0 && last >= recovery, "sampling lasts past the recovery (%.0f, %.0f)",
          last, recovery);
    /* about every 10 ms: the typical gap (the median) stays well under 50 ms on a busy machine */
    double *gaps = calloc((size_t)count, sizeof *gaps);
    int n = 0;
    for (int i = 1; gaps && i < count; i++)
        gaps[n++] = cJSON_GetArrayItem(cJSON_GetArrayItem(rows, i), 0)->valuedouble -
                    cJSON_GetArrayItem(cJSON_GetArrayItem(rows, i - 1), 0)->valuedouble;
    int under = 0;
    for (int i = 0; i < n; i++)
        under += gaps[i] <= 50;
    CHECK(t, n > 0 && under * 2 > n, "most gaps between pipe samples should be ~10 ms");
    free(gaps);
    bool none = false, draining = false;
    const cJSON *row;
    cJSON_ArrayForEach(row, rows)
    {
        const cJSON *reader = cJSON_GetArrayItem(row, 4);
        if (cJSON_IsString(reader)) {
            none = none || strcmp(reader->valuestring, "none") == 0;
            draining = draining || strcmp(reader->valuestring, "draining") == 0;
        }
    }
    CHECK(t, none && draining, "reader state: 'none' while the fault held, then 'draining'");
    CHECK(t, JSON_NUMBER(t, root, "timeline.sampler.samples") >= count / 2, "sampler.samples");
    CHECK(t, JSON_NUMBER(t, root, "timeline.sampler.interval_ms") == 10, "sampler.interval_ms");
    CHECK(t, JSON_NUMBER(t, root, "stallcheck_cpu.user_us") >= 0, "stallcheck_cpu.user_us");
}

void check_timeline_run(test_context *t, const cJSON *root, const command_outcome *out,
                        bool stalled)
{
    CHECK(t, JSON_NUMBER(t, root, "timeline.version") == 2, "timeline.version 2");
    const cJSON *routes_json = test_json_at(root, "timeline.routes");
    CHECK(t, cJSON_IsArray(routes_json) && cJSON_GetArraySize(routes_json) == 2,
          "timeline.routes lists both probe routes");
    const cJSON *pipe0 = cJSON_GetArrayItem(test_json_at(root, "timeline.pipes"), 0);
    CHECK(t, pipe0 && JSON_NUMBER(t, pipe0, "capacity") == JSON_NUMBER(t, root, "pipe.capacity"),
          "timeline.pipes[0] has the pipe's capacity");
    check_samples(t, root);
    int routes = 2;
    if (stalled) {
        CHECK(t, probe_done_count(root, "probe", "timed-out") == routes,
              "every probe of the deciding round timed out, with its route and interval");
        CHECK(t, probe_done_count(root, "probe", "answered") == 0, "no probe answered in time");
    } else {
        CHECK(t, probe_done_count(root, "probe", "answered") >= routes, "the probes answered");
        CHECK(t, probe_done_count(root, "probe", "timed-out") == 0, "no probe timed out");
    }
    CHECK(t, probe_done_count(root, "recovery", "answered") == routes,
          "the recovery probes answered");
    CHECK(t, strchr(out->out, '\r') == NULL && !strstr(out->out, "probing round"),
          "stdout is not a terminal: no status line");

    const char *svg = test_work_file(t, "timeline.svg");
    svg_facts f;
    if (!svg_facts_read_file(svg, &f)) {
        test_fail(t, __FILE__, __LINE__, "%s is not well-formed XML: line %zu: %s", svg, f.xml.line,
                  f.xml.error);
        return;
    }
    const svg_run_facts *r = &f.run[0];
    CHECK(t, f.svg_root && f.title && f.axis, "an <svg> with a title and the time axis");
    CHECK(t, !f.unsafe, "self-contained: found %s", f.unsafe_what);
    CHECK(t, f.runs == 1, "one run in the picture, found %d", f.runs);
    CHECK(t, strcmp(r->verdict, stalled ? "stalled" : "responsive") == 0, "the run's verdict: %s",
          r->verdict);
    CHECK(t, r->pipe_lane && r->pipe_level && r->capacity_line && r->reader_lane,
          "the pipe lane (level, capacity) and the reader lane");
    CHECK(t, r->no_slot_band, "the band where the pipe had no free slot");
    CHECK(t, r->probe_lanes == routes, "one probe lane per route, found %d", r->probe_lanes);
    CHECK(t, r->trigger_lane, "the trigger lane");
    if (stalled)
        CHECK(t, r->timed_out == routes && r->answered == 0, "red bars: %d timed out, %d answered",
              r->timed_out, r->answered);
    else
        CHECK(t, r->answered >= routes && r->timed_out == 0,
              "green bars: %d answered, %d timed out", r->answered, r->timed_out);
    CHECK(t, r->recovery_answered == routes, "the recovery probes after the drain");
    CHECK(t, r->latency_labels >= routes, "latency labels");
    CHECK(t,
          r->marker_trigger && r->marker_fault && r->marker_verdict && r->marker_drain &&
              r->marker_recovery && !r->marker_not_recovered,
          "markers: trigger, fault, verdict, drain, recovered");

    /* the same run drawn from its JSON alone: the same picture, byte for byte */
    const char *again = test_work_file(t, "timeline-from-json.svg");
    char *argv[] = {(char *)compare_binary(t), "-o", (char *)again,
                    (char *)test_work_file(t, "report.json"), NULL};
    command_outcome cmp;
    test_run(t, argv, 30000, &cmp);
    CHECK(t, cmp.exit_code == 0, "stallcheck-compare exit %d", cmp.exit_code);
    test_outcome_free(&cmp);
    size_t a_len = 0, b_len = 0;
    char *a = read_all(svg, &a_len), *b = read_all(again, &b_len);
    CHECK(t, a && b && a_len == b_len && memcmp(a, b, a_len) == 0,
          "stallcheck-compare on the JSON must draw what --timeline drew (%zu vs %zu bytes)", a_len,
          b_len);
    free(a);
    free(b);
}

/* stallcheck --json <work>/<name>.json -- stall-test-server --mode MODE */
static cJSON *run_mode(test_context *t, const char *mode, const char *expect, const char *json)
{
    char *argv[] = {(char *)t->paths->stallcheck,
                    "--expect",
                    (char *)expect,
                    "--rounds",
                    "1",
                    "--json",
                    (char *)json,
                    "--",
                    (char *)t->paths->server,
                    "--mode",
                    (char *)mode,
                    "--port",
                    "{port}",
                    NULL};
    command_outcome out;
    test_run(t, argv, RUN_TIMEOUT_MS, &out);
    CHECK(t, out.exit_code == 0, "%s: exit %d", mode, out.exit_code);
    test_outcome_free(&out);
    return test_load_json(t, json);
}

int test_timeline_compare(test_context *t)
{
    char stalled[1024], responsive[1024];
    snprintf(stalled, sizeof stalled, "%s", test_work_file(t, "deadlock.json"));
    snprintf(responsive, sizeof responsive, "%s", test_work_file(t, "async.json"));
    cJSON *a = run_mode(t, "deadlock", "stalled", stalled);
    cJSON *b = run_mode(t, "async", "responsive", responsive);
    bool ran = a && b;
    CHECK(t,
          ran && cJSON_IsTrue(test_json_at(a, "fault_reached")) &&
              cJSON_IsTrue(test_json_at(b, "fault_reached")),
          "both runs must have had their fault in place, or the picture proves nothing");
    cJSON_Delete(a);
    cJSON_Delete(b);

    const char *svg = test_work_file(t, "compare.svg");
    char label_a[1100], label_b[1100];
    snprintf(label_a, sizeof label_a, "blocking & co=%s", stalled);
    snprintf(label_b, sizeof label_b, "async=%s", responsive);
    char *argv[] = {(char *)compare_binary(t),
                    "--title",
                    "<blocking> vs async",
                    "-o",
                    (char *)svg,
                    label_a,
                    label_b,
                    NULL};
    command_outcome out;
    test_run(t, argv, 30000, &out);
    CHECK(t, out.exit_code == 0, "stallcheck-compare exit %d", out.exit_code);
    test_outcome_free(&out);
    svg_facts f;
    if (!svg_facts_read_file(svg, &f)) {
        test_fail(t, __FILE__, __LINE__, "%s is not well-formed: line %zu: %s", svg, f.xml.line,
                  f.xml.error);
        return 0;
    }
    CHECK(t, f.runs == 2 && f.axis && !f.unsafe, "two runs, one axis, self-contained");
    CHECK(t,
          strcmp(f.run[0].verdict, "stalled") == 0 && strcmp(f.run[1].verdict, "responsive") == 0,
          "the stalled run above the responsive one");
    CHECK(t, f.run[0].timed_out >= 1 && f.run[0].answered == 0,
          "the blocking run's probes are red");
    CHECK(t, f.run[1].answered >= 1 && f.run[1].timed_out == 0, "the async run's probes are green");
    CHECK(t, f.run[0].no_slot_band && f.run[1].no_slot_band, "both pipes were full (no free slot)");
    char *text = read_all(svg, NULL);
    CHECK(t, text && strstr(text, "&lt;blocking&gt; vs async") && strstr(text, "blocking &amp; co"),
          "the title and labels are escaped");
    free(text);

    /* a report without a timeline is refused, naming it */
    char *bad[] = {(char *)compare_binary(t), "-o", (char *)test_work_file(t, "bad.svg"),
                   (char *)test_work_file(t, "junit-none.json"), NULL};
    FILE *not_report = fopen(test_work_file(t, "junit-none.json"), "w");
    if (not_report) {
        fputs("{\"verdict\":\"stalled\"}\n", not_report);
        fclose(not_report);
    }
    test_run(t, bad, 30000, &out);
    CHECK(t, out.exit_code == 2 && strstr(out.err, "no timeline"),
          "a report without a timeline: exit 2");
    test_outcome_free(&out);
    return 0;
}

/* Runs argv with stdout and stderr on a pseudo-terminal; returns what the terminal got. */
static char *run_on_tty(test_context *t, char *const argv[], long timeout_ms, int *exit_code)
{
    *exit_code = -1;
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
        test_fail(t, __FILE__, __LINE__, "no pseudo-terminal: %s", strerror(errno));
        if (master >= 0)
            close(master);
        return NULL;
    }
    const char *slave_name = ptsname(master);
    pid_t pid = fork();
    if (pid == 0) {
        setsid();
        int slave = open(slave_name, O_RDWR);
        int devnull = open("/dev/null", O_RDONLY);
        if (slave < 0 || devnull < 0)
            _exit(126);
        dup2(devnull, 0);
        dup2(slave, 1);
        dup2(slave, 2);
        close(master);
        execv(argv[0], argv);
        _exit(127);
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int status = 0;
    bool exited = false;
    for (;;) {
        struct pollfd pfd = {master, POLLIN, 0};
        int ready = poll(&pfd, 1, 100);
        if (ready > 0) {
            char chunk[4096];
            ssize_t n = read(master, chunk, sizeof chunk);
            if (n > 0 && buf) {
                if (len + (size_t)n + 1 > cap) {
                    char *grown = realloc(buf, cap * 2);
                    if (grown) {
                        buf = grown;
                        cap *= 2;
                    }
                }
                if (len + (size_t)n + 1 <= cap) {
                    memcpy(buf + len, chunk, (size_t)n);
                    len += (size_t)n;
                }
            } else if (n <= 0 && exited) {
                break; /* EIO once the child and its terminal are gone */
            }
        }
        if (!exited && waitpid(pid, &status, WNOHANG) == pid)
            exited = true;
        if (exited && ready <= 0)
            break;
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (elapsed > timeout_ms) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            exited = true;
            test_fail(t, __FILE__, __LINE__, "the run on the terminal did not finish: killed");
            break;
        }
    }
    close(master);
    if (exited && WIFEXITED(status))
        *exit_code = WEXITSTATUS(status);
    if (buf)
        buf[len] = '\0';
    fprintf(stderr, "[%s] terminal output (%zu bytes), exit %d\n", t->name, len, *exit_code);
    return buf;
}

int test_progress_tty(test_context *t)
{
    char *argv[] = {
        (char *)t->paths->stallcheck, "--expect", "stalled",  "--rounds", "1",      "-q", "--",
        (char *)t->paths->server,     "--mode",   "deadlock", "--port",   "{port}", NULL};
    int rc = 0;
    char *screen = run_on_tty(t, argv, RUN_TIMEOUT_MS, &rc);
    CHECK(t, rc == 0, "exit %d on the terminal", rc);
    /* a terminal turns every \n into \r\n: the status line is "\r" + "stallcheck [" */
    CHECK(t, screen && strstr(screen, "\rstallcheck ["), "the status line is redrawn in place");
    CHECK(t, screen && strstr(screen, "starting the server"), "phase: starting");
    CHECK(t, screen && strstr(screen, "filling the pipe "), "phase: filling the pipe x/64 KiB");
    CHECK(t, screen && strstr(screen, "/64 KiB"), "the pipe level against its capacity");
    CHECK(t, screen && strstr(screen, "probing round 1/1"), "phase: probing round n/N");
    CHECK(t, screen && strstr(screen, "draining the pipe"), "phase: draining");
    CHECK(t,
          screen && strstr(screen, "stallcheck: stalled (log-pipe-deadlock) after")
              ? 1
              : screen && strstr(screen, "stallcheck: stalled (pipe-full-unconfirmed) after"),
          "the last status line: the verdict");
    free(screen);

    /* --no-progress: a terminal, and still no status line */
    char *quiet[] = {(char *)t->paths->stallcheck,
                     "--no-progress",
                     "--expect",
                     "responsive",
                     "--rounds",
                     "1",
                     "-q",
                     "--",
                     (char *)t->paths->server,
                     "--mode",
                     "async",
                     "--port",
                     "{port}",
                     NULL};
    screen = run_on_tty(t, quiet, RUN_TIMEOUT_MS, &rc);
    CHECK(t, rc == 0, "exit %d with --no-progress", rc);
    CHECK(t, screen && !strstr(screen, "\rstallcheck [") && strstr(screen, "stallcheck: "),
          "--no-progress: only the summary line");
    free(screen);
    return 0;
}
