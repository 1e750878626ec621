/* fault_matrix.c: one fault case per run (one ctest test each): runs it against
 * kiro-proxy-async (asserted: the exit status) and then kiro-proxy-blocking (recorded only),
 * and writes the case's row of the results table. Also the report fixture's two steps.
 *
 *   fault_matrix CASE               run one case (FAULTS_ONLY_ASYNC=1 skips the blocking build;
 *                                   FAULTS_WATCHDOG_S=N shortens the watchdog)
 *   fault_matrix --list             the case names
 *   fault_matrix --report-reset     forget the rows of an earlier run
 *   fault_matrix --report-assemble  write <build>/report/faults.md */
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx_cases.h"
#include "fx_check.h"
#include "fx_report.h"
#include "fx_watchdog.h"

#define WATCHDOG_S 90

static void run_build(const fx_case *c, fx_run *run, const char *build, int strict)
{
    fx_run_init(run, c->name, build, strict);
    fx_watchdog_set_build(build);
    long long t0 = fx_now_ms();
    c->fn(run);
    fprintf(stderr, "[%s %s] %d checks, %d %s, %.1f s\n", c->name, build, run->checks,
            run->failures, strict ? "failed" : "deviations", (double)(fx_now_ms() - t0) / 1000.0);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CASE | --list | --report-reset | --report-assemble\n", argv[0]);
        return 2;
    }
    if (strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < fx_case_count(); i++)
            printf("%s\n", fx_case_at(i)->name);
        return 0;
    }
    if (strcmp(argv[1], "--report-reset") == 0)
        return fx_report_reset() == 0 ? 0 : 1;
    if (strcmp(argv[1], "--report-assemble") == 0)
        return fx_report_assemble() == 0 ? 0 : 1;
    const fx_case *c = fx_case_find(argv[1]);
    if (!c) {
        fprintf(stderr, "unknown case %s (--list)\n", argv[1]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const char *watchdog = getenv("FAULTS_WATCHDOG_S"); /* to test the watchdog itself */
    fx_watchdog_start(c->name, watchdog && atoi(watchdog) > 0 ? atoi(watchdog) : WATCHDOG_S);
    long long t0 = fx_now_ms();

    static fx_run async_run, blocking_run;
    char async_text[1400], blocking_text[1400] = "skipped (FAULTS_ONLY_ASYNC)";
    run_build(c, &async_run, "kiro-proxy-async", 1);
    fx_run_summary(&async_run, async_text, sizeof async_text);
    const char *only = getenv("FAULTS_ONLY_ASYNC");
    if (!only || strcmp(only, "1") != 0) {
        run_build(c, &blocking_run, "kiro-proxy-blocking", 0);
        fx_run_summary(&blocking_run, blocking_text, sizeof blocking_text);
    }
    fx_report_write_row(c->name, async_text, blocking_text, fx_now_ms() - t0);
    printf("%s\n  async:    %s\n  blocking: %s\n", c->name, async_text, blocking_text);
    curl_global_cleanup();
    return async_run.failures ? 1 : 0;
}
