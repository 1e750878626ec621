/* fx_check.c: checks, notes and summaries of a fault-case run; see fx_check.h. */
#include "fx_check.h"
#include "util/clock.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void fx_run_init(fx_run *run, const char *case_name, const char *build, int strict)
{
    memset(run, 0, sizeof *run);
    run->case_name = case_name;
    run->build = build;
    run->strict = strict;
}

int fx_check_at(fx_run *run, int ok, const char *file, int line, const char *fmt, ...)
{
    char text[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    run->checks++;
    if (ok)
        return 1;
    run->failures++;
    if (run->failures == 1)
        snprintf(run->first_failure, sizeof run->first_failure, "%s", text);
    const char *base = strrchr(file, '/');
    fprintf(stderr, "[%s %s] %s: expected: %s (%s:%d)\n", run->case_name, run->build,
            run->strict ? "FAIL" : "observed", text, base ? base + 1 : file, line);
    return 0;
}

void fx_note(fx_run *run, const char *fmt, ...)
{
    char text[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    size_t used = strlen(run->notes);
    snprintf(run->notes + used, sizeof run->notes - used, "%s%s", used ? "; " : "", text);
    fprintf(stderr, "[%s %s] %s\n", run->case_name, run->build, text);
}

void fx_run_summary(const fx_run *run, char *out, size_t size)
{
    if (run->failures == 0)
        snprintf(out, size, "ok (%d checks): %s", run->checks, run->notes);
    else
        snprintf(out, size, "%s (%d of %d checks): expected %s; %s",
                 run->strict ? "FAIL" : "DEVIATES", run->failures, run->checks,
                 run->first_failure, run->notes);
}

long long fx_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void fx_sleep_ms(int ms)
{
    sleep_ms(ms);
}

int fx_poll_until(int timeout_ms, int interval_ms, int (*cond)(void *), void *arg)
{
    long long end = fx_now_ms() + timeout_ms;
    for (;;) {
        if (cond(arg))
            return 1;
        if (fx_now_ms() >= end)
            return 0;
        fx_sleep_ms(interval_ms);
    }
}
