/* fx_report.c: row files and the assembled faults.md table; see fx_report.h. */
#include "fx_report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "fx_cases.h"

#ifndef FX_REPORT_DIR
#error "FX_REPORT_DIR must be defined by the build"
#endif

static const char *report_dir(void)
{
    const char *env = getenv("FX_REPORT_DIR");
    return env && *env ? env : FX_REPORT_DIR;
}

static void make_dirs(char *rows_dir, size_t size)
{
    mkdir(report_dir(), 0755);
    snprintf(rows_dir, size, "%s/faults.d", report_dir());
    mkdir(rows_dir, 0755);
}

/* Table cells: no '|' and no line breaks. */
static void cell(const char *in, char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = in; *p && n + 1 < size; p++)
        out[n++] = (*p == '|') ? '/' : (*p == '\n' || *p == '\r') ? ' ' : *p;
    out[n] = '\0';
}

int fx_report_write_row(const char *case_name, const char *async_result,
                        const char *blocking_result, long long elapsed_ms)
{
    char dir[512], path[700], tmp[720];
    make_dirs(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/%s.row", dir, case_name);
    snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    char a[1400], b[1400];
    cell(async_result, a, sizeof a);
    cell(blocking_result, b, sizeof b);
    fprintf(f, "%s | %s | %.1f s\n", a, b, (double)elapsed_ms / 1000.0);
    int ok = fclose(f) == 0;
    return ok && rename(tmp, path) == 0 ? 0 : -1;
}

int fx_report_reset(void)
{
    char dir[512], path[700];
    make_dirs(dir, sizeof dir);
    for (size_t i = 0; i < fx_case_count(); i++) {
        snprintf(path, sizeof path, "%s/%s.row", dir, fx_case_at(i)->name);
        if (unlink(path) != 0 && errno != ENOENT)
            return -1;
    }
    return 0;
}

static int read_row(const char *dir, const char *name, char *out, size_t size)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s.row", dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int ok = fgets(out, (int)size, f) != NULL;
    fclose(f);
    out[strcspn(out, "\n")] = '\0';
    return ok ? 0 : -1;
}

int fx_report_assemble(void)
{
    char dir[512], path[600];
    make_dirs(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/faults.md", report_dir());
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    struct utsname u;
    char when[64] = "";
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    fprintf(f, "Fault matrix (tests/faults, `ctest -L faults`)");
    if (uname(&u) == 0)
        fprintf(f, ", run %s on %s %s %s", when, u.sysname, u.release, u.machine);
    fprintf(f, ". ");
    fprintf(f, "kiro-proxy-async is asserted (a failed check fails the test); kiro-proxy-blocking "
               "runs the same case and is only recorded. Probes: GET /v1/models, GET /health and "
               "GET /api/admin/user-credentials, each with a 2000 ms deadline, while the fault "
               "lasts.\n\n");
    fprintf(f, "| case | fault | kiro-proxy-async | kiro-proxy-blocking | time |\n");
    fprintf(f, "|---|---|---|---|---|\n");
    static char row[4096];
    int missing = 0;
    for (size_t i = 0; i < fx_case_count(); i++) {
        const fx_case *c = fx_case_at(i);
        if (read_row(dir, c->name, row, sizeof row) == 0) {
            fprintf(f, "| %s | %s | %s |\n", c->name, c->fault, row);
        } else {
            fprintf(f, "| %s | %s | not run | not run | - |\n", c->name, c->fault);
            missing++;
        }
    }
    int ok = fclose(f) == 0;
    printf("fault matrix: %s (%zu cases, %d not run)\n", path, fx_case_count(), missing);
    return ok ? 0 : -1;
}
