/* main.c: stallcheck's command-line front end.
 *
 * Parses the options, starts the watchdog, runs the check (run.c), writes the reports and maps
 * the outcome to the exit status: 0 expectation met, 1 not met, 2 setup error (or the watchdog
 * fired), 3 inconclusive (the fault was never in place). Everything that decides anything
 * lives in the library part; this file only wires it together. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "http_batch.h"
#include "options.h"
#include "platform/platform.h"
#include "report.h"
#include "report_markdown.h"
#include "result.h"
#include "run.h"
#include "timeline_svg.h"
#include "timeline_view_result.h"
#include "child_process.h"
#include "watchdog.h"

/* --timeline: the picture of the run, drawn from the in-memory result. */
static int write_timeline(const char *path, const stall_result *r)
{
    timeline_view view;
    char err[256] = "";
    int rc = timeline_view_from_result(r, NULL, &view);
    if (rc == 0)
        rc = timeline_svg_write_file(path, &view, 1, NULL, err, sizeof err);
    else
        snprintf(err, sizeof err, "out of memory");
    timeline_view_free(&view);
    if (rc != 0)
        fprintf(stderr, "stallcheck: cannot write the timeline to %s: %s\n", path, err);
    return rc;
}

static int write_reports(const stall_options *o, const stall_result *r)
{
    int failed = 0;
    if (o->quiet)
        report_write_summary(stdout, r, report_use_colour(stdout));
    else
        report_write_text(stdout, r, report_use_colour(stdout));
    fflush(stdout);
    if (r->error[0])
        fprintf(stderr, "stallcheck: %s\n", r->error);
    if (o->json_path && report_write_json(o->json_path, r) != 0) {
        fprintf(stderr, "stallcheck: cannot write the JSON report to %s\n", o->json_path);
        failed = 1;
    }
    if (o->junit_path && report_write_junit(o->junit_path, r) != 0) {
        fprintf(stderr, "stallcheck: cannot write the JUnit report to %s\n", o->junit_path);
        failed = 1;
    }
    if (o->summary_path && report_write_markdown(o->summary_path, r) != 0) {
        fprintf(stderr, "stallcheck: cannot write the Markdown summary to %s\n", o->summary_path);
        failed = 1;
    }
    if (o->timeline_path && write_timeline(o->timeline_path, r) != 0)
        failed = 1;
    return failed;
}

int main(int argc, char **argv)
{
    stall_options options;
    options_init(&options);
    char err[512] = "";
    int parsed = options_parse(&options, argc, argv, stdout, err, sizeof err);
    if (parsed != OPTIONS_OK) {
        if (parsed == OPTIONS_INVALID)
            fprintf(stderr, "stallcheck: %s\n", err);
        options_free(&options);
        return parsed == OPTIONS_DONE ? 0 : 2;
    }

    platform_ignore_sigpipe(); /* a vanished peer is an error code here, never a death */
    if (http_global_init() != 0) {
        fprintf(stderr, "stallcheck: cannot initialise libcurl\n");
        options_free(&options);
        return 2;
    }

    child_process child;
    child_init(&child);
    watchdog dog;
    if (watchdog_start(&dog, options.timeout_s, &child, options.json_path) != 0) {
        fprintf(stderr, "stallcheck: cannot start the watchdog; refusing to run unguarded\n");
        child_destroy(&child);
        http_global_cleanup();
        options_free(&options);
        return 2;
    }
    /* the watchdog's last-resort report too, should the run not unwind */
    atomic_store(&dog.summary_path, (const char *)options.summary_path);

    stall_result result;
    /* the live status line: on a terminal only (or as --progress / --no-progress say) */
    bool show_progress = options.progress ? options.progress_forced : isatty(STDOUT_FILENO);
    int status = run_stallcheck(&options, &child, &dog, show_progress ? stdout : NULL, &result);
    /* Written whatever happened, the watchdog included: everything seen so far. */
    if (write_reports(&options, &result) != 0)
        status = 2;

    watchdog_stop(&dog);
    run_result_free(&result);
    child_destroy(&child);
    http_global_cleanup();
    options_free(&options);
    return status;
}
